/**
 * The results document of contract.md §2: the public, typed output of `computeIndicators()` and of
 * `esms compute --format json`. Fields may be added, never renamed or removed. The indicators themselves
 * (ids, titles, targets) are named in indicators/registry.ts.
 */
import type { RateIndicatorId } from './indicators/registry.js';

/** A rate indicator: exact integer numerator and denominator; `rate` is rounded to one decimal for display. */
export interface RateResult {
  numerator: number;
  denominator: number;
  /** `100 × numerator / denominator` rounded to one decimal, or `null` when the denominator is zero. */
  rate: number | null;
  /** Target in percent (90 or 70). */
  target: number;
  /** Whether the exact (unrounded) rate reaches the target; `false` when the rate is `null`. */
  met: boolean;
}

export interface EPrescriptionResult {
  total: number;
  /** Local calendar months (`YYYY-MM`) that the period touches, each with its count (0 when none). */
  byMonth: Record<string, number>;
}

export interface EParcoursResult {
  total: number;
  /** Cumulative count from the configured project start date to the end of the period, else `null`. */
  sinceProjectStart: number | null;
}

/** One result per indicator of the registry: the five rates, then the two optional counts. */
export interface IndicatorResults extends Record<RateIndicatorId, RateResult> {
  'e-prescriptions-importees': EPrescriptionResult;
  'echanges-e-parcours': EParcoursResult;
}

/** A local-date period, both ends inclusive (`YYYY-MM-DD`). */
export interface LocalPeriod {
  start: string;
  end: string;
}

export interface EstablishmentResult {
  /** FINESS géographique (ET) of the ESSMS. */
  finess: string;
  /** FINESS juridique (EJ) of its organisme gestionnaire, or `null`. */
  organisation: string | null;
  name: string | null;
  /** IANA time zone in which the period is computed. */
  timezone: string;
  period: LocalPeriod;
  indicators: IndicatorResults;
  /** Absolute count of active dossiers (the national "nombre de DUI actifs"). */
  dossiersActifs: number;
  /** Persons accompanied at least once in the calendar year containing the last day of the period. */
  fileActive: number;
  /** SONS Vérification d'Aptitude: the three DUI indicators are provided and non-zero. */
  vaReady: boolean;
  vaReason: string | null;
}

export interface OrganisationResult {
  /** FINESS juridique (EJ) of the organisme gestionnaire. */
  finess: string;
  name: string | null;
  establishments: string[];
  /** Weighted roll-up: numerators and denominators summed, then divided. */
  indicators: IndicatorResults;
  dossiersActifs: number;
  fileActive: number;
}

/** Data-quality reason codes (indicators.md "Data quality, never silent"). */
export type DataQualityCode =
  | 'invalid-resource'
  | 'unknown-subject'
  | 'unknown-establishment'
  | 'finess-format'
  | 'finess-key'
  | 'period-inverted'
  | 'period-missing'
  | 'duplicate-person'
  | 'history-missing'
  | 'unattributed-event'
  | 'timezone-unknown'
  | 'empty-denominator'
  | 'unreadable-input'
  /** An input (a file, a stream, a Bulk manifest, a FHIR search) that could not be read to its end. */
  | 'input-incomplete'
  /** The same `Type/id` read more than once: the latest version is used, the others are not. */
  | 'duplicate-record'
  /** Time values outside FHIR's grammar but unambiguous (no seconds…): used, and counted per field. */
  | 'time-format'
  /** Added by the agent: an ESSMS of the data that its config does not list (contract.md §4 "Scope"). */
  | 'establishment-not-configured'
  /** Added by the agent: an ESSMS its config lists that the data holds nothing about (no figures). */
  | 'establishment-absent';

/**
 * Where a finding was read, for records that have no id of their own or whose id does not say where they
 * are: the input (a file path, or as the caller named it), its line (1-based) or the byte offset where the
 * line starts (when readers share a file), the index of the entry in the Bundle that held it.
 */
export interface FindingLocation {
  input?: string;
  line?: number;
  byteOffset?: number;
  entry?: number;
}

export interface DataQualityFinding {
  code: DataQualityCode;
  message: string;
  /** The type and id of the record the finding is about. */
  resourceType?: string;
  id?: string;
  /**
   * Other records the finding refers to, as `Type/id` (`["Patient/pat-1"]`). Record ids are never written
   * inside `message`, so that they can be pseudonymised structurally (the agent's evidence does).
   */
  related?: string[];
  finess?: string;
  /** How many records the finding covers, when it summarises several. */
  count?: number;
  /** Where the record (or the input) was read. */
  location?: FindingLocation;
  /** The field a finding is about (`Encounter.period.start`). */
  field?: string;
}

export interface ResultsDocument {
  measureDate: string;
  denominatorScope: DenominatorScope;
  establishments: EstablishmentResult[];
  organisations: OrganisationResult[];
  dataQuality: { errors: DataQualityFinding[]; warnings: DataQualityFinding[] };
}

/** `period` (default): persons accompanied in P; `calendar-year`: in the calendar year of P's last day. */
export type DenominatorScope = 'period' | 'calendar-year';
