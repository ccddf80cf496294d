/**
 * The one place where the evidence code reaches into the SDK's rules. Everything else in `evidence/`
 * and `report/` works on the structural types below, so it compiles and is testable on its own, and
 * the verifier can be handed another implementation of the rules (a test's, or a future version's).
 * Verification without rules (`rules: null`) reports that it could not recompute, which fails
 * verification: an auditor must never be told "all good" without the recomputation.
 */
import {
  MEASURES,
  createEngine,
  RATE_INDICATOR_IDS,
  VA_INDICATOR_IDS,
  recomputeFromProjection,
  toMeasureReports,
} from '@esms-numerique/sdk';
import type {
  Computation,
  CountIndicatorId,
  ComputeOptions as SdkComputeOptions,
  EnginePartial,
  Fact as SdkFact,
  RateIndicatorId,
  ResultsDocument,
} from '@esms-numerique/sdk';
import { digestJson } from './canonical-json.js';
import type { Digest } from './canonical-json.js';

/** A projection fact: the minimal JSON fields the rules read about one input record. Opaque here. */
export type Fact = Readonly<Record<string, unknown>>;

/** The SDK's `ComputeOptions`: JSON-serialisable, sealed as is and handed back to the rules. */
export type ComputeOptions = Readonly<Record<string, unknown>>;

// Structural mirror of the parts of packages/sdk/src/results.ts that evidence and report read. The
// SDK's `ResultsDocument` is assignable to `ResultsLike`.
export interface RateResultLike {
  numerator: number;
  denominator: number;
  rate: number | null;
  target: number;
  met: boolean;
}
/** The optional indicators' results, one entry per `CountIndicatorId` (a new one fails to compile below). */
interface CountResultsLike {
  'e-prescriptions-importees': { total: number; byMonth: Record<string, number> };
  'echanges-e-parcours': { total: number; sinceProjectStart: number | null };
}
/** Every indicator of the SDK's registry: a rate for each `RateIndicatorId`, a count for each other id. */
export type IndicatorResultsLike = { [K in RateIndicatorId]: RateResultLike } & {
  [K in CountIndicatorId]: CountResultsLike[K];
};
export interface EstablishmentResultLike {
  finess: string;
  organisation: string | null;
  name: string | null;
  timezone: string;
  period: { start: string; end: string };
  indicators: IndicatorResultsLike;
  dossiersActifs: number;
  fileActive: number;
  vaReady: boolean;
  vaReason: string | null;
}
export interface OrganisationResultLike {
  finess: string;
  name: string | null;
  establishments: string[];
  indicators: IndicatorResultsLike;
  dossiersActifs: number;
  fileActive: number;
}
export interface ResultsLike {
  measureDate: string;
  denominatorScope: string;
  establishments: EstablishmentResultLike[];
  organisations: OrganisationResultLike[];
  dataQuality: { errors: readonly unknown[]; warnings: readonly unknown[] };
}

/** The five mandatory rate indicators, from the SDK's indicator registry. */
export const RATE_INDICATORS: readonly RateIndicator[] = RATE_INDICATOR_IDS;
export type RateIndicator = RateIndicatorId;
/** The three DUI indicators of the SONS Vérification d'Aptitude, from the SDK's indicator registry. */
export const VA_INDICATORS: readonly RateIndicator[] = VA_INDICATOR_IDS;

/** The SDK's `Computation`. `subjects` (the pseudonymised subject lists) is opaque JSON here. */
export interface ComputationLike {
  results: ResultsLike;
  subjects: unknown;
}

/** What verification needs from the rules. */
export interface EvidenceRules {
  recomputeFromProjection(
    facts: Iterable<Fact> | AsyncIterable<Fact>,
    options: ComputeOptions,
  ): Promise<ComputationLike>;
  /** The SDK's `toMeasureReports(results)`, to cross-check every submitted MeasureReport in full. */
  toMeasureReports?: ((results: ResultsLike) => unknown) | undefined;
  /** Digest of this verifier's measure definitions, compared with the sealed one. */
  measuresDigest?: Digest | undefined;
  /**
   * Set for the SDK's own rules only: an engine that merges the partial states of engines run by the
   * verify threads (verify-worker.ts runs the SDK's engine itself). Rules without it recompute in one thread.
   */
  mergingEngine?: ((options: ComputeOptions) => MergingEngine) | undefined;
}

/** The SDK engine's `addFact`, `personKeys`, `mergePartial` and `finish`, for the verify threads (verify-threads.ts). */
export interface MergingEngine {
  addFact(fact: Fact): void;
  personKeys(): string[];
  mergePartial(partial: unknown): void;
  finish(): ComputationLike;
}

/** The SDK's rules, as verification uses them. */
export function sdkRules(): EvidenceRules {
  return {
    recomputeFromProjection: async (facts, options) =>
      recomputeFromProjection(
        facts as Iterable<SdkFact> | AsyncIterable<SdkFact>,
        options as unknown as SdkComputeOptions,
      ),
    // Organisation reports too: a submission may carry them, and each submitted report is checked.
    toMeasureReports: (results) =>
      toMeasureReports(results as ResultsDocument, { includeOrganisations: true }),
    measuresDigest: measuresDigest(),
    mergingEngine: (options) => {
      const engine = createEngine(options as unknown as SdkComputeOptions);
      return {
        addFact: (fact) => engine.addFact(fact as unknown as SdkFact),
        personKeys: () => engine.personKeys(),
        mergePartial: (partial) => engine.mergePartial(partial as EnginePartial),
        finish: () => engine.finish(),
      };
    },
  };
}

/** Digest of the SDK's measure definitions (`MEASURES`), sealed with every run. */
export function measuresDigest(): Digest {
  return digestJson(MEASURES);
}

// Compile-time guarantee that the SDK's documents fit the structural types the evidence code reads.
const _resultsFit: (results: ResultsDocument) => ResultsLike = (results) => results;
const _computationFits: (computation: Computation) => ComputationLike = (computation) => computation;
void _resultsFit;
void _computationFits;
