/**
 * @packageDocumentation
 * `@esms-numerique/sdk`: computes the ESMS numérique (Ségur du numérique) DUI usage indicators from
 * FHIR R4 records, locally, as a pure streaming computation: no I/O, no clock, silent.
 *
 * Entry points: {@link computeIndicators} (any iterable of resources and Bundles) or {@link createEngine}
 * (push records one by one). Results follow contract.md §2; {@link toMeasureReports} turns them into the
 * FHIR MeasureReports that may leave the machine; {@link INDICATORS} names every indicator. Everything not
 * exported here is internal (the README beside this package maps each rule of indicators.md to its file).
 */

// Computation
export {
  computeIndicators,
  computeIndicatorsSync,
  createEngine,
  explainEstablishment,
  recomputeFromProjection,
  type Engine,
  type EnginePartial,
} from './engine.js';
export {
  createFactExtractor,
  type ExtractorOptions,
  type FactExtractor,
  type RecordLocation,
} from './read/extract.js';
export type { Computation } from './finalize.js';
export type { ComputeOptions, EngineOptions, ResolvedOptions } from './options.js';
export { resolveOptions, serialisableOptions } from './options.js';

// The indicator registry: ids, French titles, targets, VA membership, scoring, populations
export {
  indicatorDefinition,
  INDICATORS,
  MEASURE_IDS,
  POPULATIONS,
  RATE_INDICATOR_IDS,
  TARGETS,
  VA_INDICATOR_IDS,
  type CountDefinition,
  type CountIndicatorId,
  type FigureId,
  type IndicatorDefinition,
  type IndicatorId,
  type IndicatorRegistry,
  type MeasureId,
  type Population,
  type RateIndicatorDefinition,
  type RateIndicatorId,
} from './indicators/registry.js';

// Results and explanations
export { rollUpOrganisation } from './indicators/roll-up.js';
export type {
  DataQualityCode,
  DataQualityFinding,
  FindingLocation,
  DenominatorScope,
  EParcoursResult,
  EPrescriptionResult,
  EstablishmentResult,
  IndicatorResults,
  LocalPeriod,
  OrganisationResult,
  RateResult,
  ResultsDocument,
} from './results.js';
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
  RecordFact,
  SejourFact,
  TimeFormFact,
  UpdateFact,
  UsageFact,
} from './facts.js';
export { pseudonymiseFact } from './facts.js';
export { defaultRecognisers, type EncounterKind, type Recognisers } from './read/recognisers.js';

// FHIR outputs
export { MEASURES, MEASURES_VERSION, measureCanonical, versionedMeasureCanonical } from './fhir/measures.js';
export { periodWithOffsets, toMeasureReports, type MeasureReportOptions } from './fhir/measure-reports.js';

// Usage events and constants
export { buildUsageEvent, usageEvents, type UsageEventInput } from './fhir/usage-events.js';
export {
  ESMS_CANONICAL_BASE,
  IDENTIFIER_SYSTEMS,
  MERGING_LINK_TYPES,
  PROJET_PERSONNALISE_TYPE_SYSTEM,
  TDDUI_CANONICAL,
  TDDUI_PROFILES,
  USAGE_EVENT_KINDS,
  USAGE_EVENT_SYSTEM,
  type UsageEventKind,
} from './vocabulary/systems.js';

// FINESS and time helpers
export {
  checkFiness,
  DEFAULT_TIMEZONE,
  finessKey,
  hasValidFinessKey,
  isWellFormedFiness,
  timezoneForFiness,
  type FinessCheck,
  type FinessProblem,
  type FinessTimezone,
} from './vocabulary/finess.js';
export { formatWithOffset, isValidTimezone } from './vocabulary/local-time.js';
export { addMonthsClamped } from './vocabulary/time.js';
export { MAX_ZONES } from './vocabulary/zone-set.js';

// The disjoint sets the SDK merges Patient records into persons with: an agent that keeps a person's records
// together (the evidence projection's scope) joins them the same way.
export { UnionFind } from './resolve/union-find.js';

// Errors
export { isSdkError, SdkError, SdkOptionsError, type OptionIssue, type SdkErrorCode } from './errors.js';
