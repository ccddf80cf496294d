/**
 * @packageDocumentation
 * `@esms-numerique/sdk`: computes the ESMS numérique (Ségur du numérique) DUI usage indicators from
 * FHIR R4 records, locally, as a pure streaming computation: no I/O, no clock, silent.
 *
 * Entry points: {@link computeIndicators} (any iterable of resources and Bundles) or {@link createEngine}
 * (push records one by one). Results follow contract.md §2; {@link toMeasureReports} turns them into the
 * FHIR MeasureReports that may leave the machine. Everything not exported here is internal.
 */

// Computation
export {
  computeIndicators,
  computeIndicatorsSync,
  createEngine,
  createFactExtractor,
  explainEstablishment,
  recomputeFromProjection,
  type Engine,
  type EnginePartial,
  type ExtractorOptions,
} from './engine.js';
export type { Computation } from './finalize.js';
export type { ComputeOptions, EngineOptions, ResolvedOptions } from './options.js';
export { resolveOptions, serialisableOptions } from './options.js';

// Results and explanations
export type {
  CountIndicatorId,
  DataQualityCode,
  DataQualityFinding,
  DenominatorScope,
  EParcoursResult,
  EPrescriptionResult,
  EstablishmentResult,
  IndicatorId,
  IndicatorResults,
  LocalPeriod,
  OrganisationResult,
  RateIndicatorId,
  RateResult,
  ResultsDocument,
} from './results.js';
export { RATE_INDICATOR_IDS } from './results.js';
export type {
  EstablishmentExplanation,
  ExclusionReason,
  IndicatorExplanation,
  PersonExclusion,
  SubjectLists,
} from './explain.js';
export { pseudonymiseSubjectLists } from './explain.js';

// Projection (evidence) and recognition
export type {
  EventFact,
  Fact,
  OrganisationFact,
  PatientFact,
  ProblemFact,
  ProjetPersonnaliseFact,
  SejourFact,
  UpdateFact,
  UsageFact,
} from './facts.js';
export { pseudonymiseFact } from './facts.js';
export { defaultRecognisers, type EncounterKind, type Recognisers } from './recognisers.js';

// FHIR outputs
export {
  MEASURES,
  MEASURE_IDS,
  MEASURES_VERSION,
  measureCanonical,
  periodWithOffsets,
  toMeasureReports,
  type MeasureId,
  type MeasureReportOptions,
} from './measures.js';

// Usage events and constants
export { buildUsageEvent, usageEvents, type UsageEventInput } from './usage-events.js';
export {
  ESMS_CANONICAL_BASE,
  IDENTIFIER_SYSTEMS,
  MERGING_LINK_TYPES,
  PROJET_PERSONNALISE_TYPE_SYSTEM,
  TARGETS,
  TDDUI_CANONICAL,
  TDDUI_PROFILES,
  USAGE_EVENT_KINDS,
  USAGE_EVENT_SYSTEM,
  type UsageEventKind,
} from './constants.js';

// FINESS and time helpers
export {
  checkFiness,
  DEFAULT_TIMEZONE,
  finessDepartment,
  finessKey,
  hasValidFinessKey,
  isWellFormedFiness,
  timezoneForFiness,
  type FinessCheck,
  type FinessProblem,
  type FinessTimezone,
} from './finess.js';
export { addMonthsClamped, formatWithOffset, isValidTimezone } from './time.js';

// Errors
export { isSdkError, SdkError, SdkOptionsError, type OptionIssue, type SdkErrorCode } from './errors.js';
