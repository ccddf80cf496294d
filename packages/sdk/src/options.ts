import { z } from 'zod';
import { SdkOptionsError, type OptionIssue } from './errors.js';
import type { Fact } from './facts.js';
import { isRecord } from './read/fhir-json.js';
import type { Recognisers } from './read/recognisers.js';
import type { DenominatorScope } from './results.js';
import { FINESS_TIMEZONES } from './vocabulary/finess.js';
import { isValidTimezone } from './vocabulary/local-time.js';
import { localDateToWallMs } from './vocabulary/time.js';
import { MAX_ZONES } from './vocabulary/zone-set.js';

/**
 * What a computation depends on besides the records. Every ambiguity of the official text that the product
 * decided is a named option here (indicators.md "Decision"), so an editor or an ARS can choose the other
 * reading. JSON-serialisable: the evidence seals it so that a verifier recomputes with the same options.
 */
export interface ComputeOptions {
  /** Measurement date D, a local calendar date `YYYY-MM-DD`. */
  measureDate: string;
  /** Default `period`. */
  denominatorScope?: DenominatorScope | undefined;
  /** Whether a cancelled agenda event counts (default `true`: it was still an entry in the agenda). */
  countCancelledEvents?: boolean | undefined;
  /** `lenient` (default): a failing FINESS key is a warning; `strict`: an error that excludes the ESSMS. */
  finessMode?: 'lenient' | 'strict' | undefined;
  /** IANA time zone per FINESS géographique, overriding the one derived from the number. */
  timezoneOverrides?: Readonly<Record<string, string>> | undefined;
  /** Start of the ESMS numérique project (`YYYY-MM-DD`), for the cumulative e-parcours count. */
  projectStartDate?: string | null | undefined;
  /** For DUIs that use CarePlan only for the projet personnalisé. */
  allCarePlansAreProjetPersonnalise?: boolean | undefined;
}

/** Options of the streaming engine: the computation's options plus hooks that are not serialised. */
export interface EngineOptions extends ComputeOptions {
  /** Overrides of the default recognisers (data-model.md); each may delegate to `defaultRecognisers`. */
  recognisers?: Partial<Recognisers> | undefined;
  /** Called with every fact extracted from the input, e.g. to write the evidence's projection. */
  onFact?: ((fact: Fact) => void) | undefined;
  /**
   * A memory hint for engines fed with part of an input: the keys (from `Engine.personKeys()` of the engine
   * that read the Patient records) of persons known to be in the input. Records that refer to them are not
   * remembered for an `unknown-subject` report. Never changes a figure.
   */
  knownPersonKeys?: Iterable<string> | undefined;
}

export interface ResolvedOptions {
  measureDate: string;
  denominatorScope: DenominatorScope;
  countCancelledEvents: boolean;
  finessMode: 'lenient' | 'strict';
  timezoneOverrides: Readonly<Record<string, string>>;
  projectStartDate: string | null;
  allCarePlansAreProjetPersonnalise: boolean;
}

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(localDateToWallMs(d)), 'is not a calendar date');

const optionsSchema = z.object({
  measureDate: localDate,
  denominatorScope: z.enum(['period', 'calendar-year']).optional(),
  countCancelledEvents: z.boolean().optional(),
  finessMode: z.enum(['lenient', 'strict']).optional(),
  timezoneOverrides: z
    .record(z.string(), z.string().refine(isValidTimezone, 'is not a known IANA time zone'))
    .optional(),
  projectStartDate: localDate.nullable().optional(),
  allCarePlansAreProjetPersonnalise: z.boolean().optional(),
});

/** Validates the options, reporting every problem at once with its key. */
export function resolveOptions(options: ComputeOptions): ResolvedOptions {
  // Only the serialisable options are validated here; hooks (recognisers, onFact) are functions.
  const parsed = optionsSchema.safeParse({
    measureDate: options.measureDate,
    denominatorScope: options.denominatorScope,
    countCancelledEvents: options.countCancelledEvents,
    finessMode: options.finessMode,
    timezoneOverrides: options.timezoneOverrides,
    projectStartDate: options.projectStartDate,
    allCarePlansAreProjetPersonnalise: options.allCarePlansAreProjetPersonnalise,
  });
  const issues: OptionIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        key: issue.path.join('.') || '(options)',
        message: issue.message,
      }));
  const zones = tooManyTimezones(options.timezoneOverrides);
  if (zones !== null) issues.push(zones);
  if (!parsed.success || issues.length > 0) throw new SdkOptionsError(issues);
  const o = parsed.data;
  return {
    measureDate: o.measureDate,
    denominatorScope: o.denominatorScope ?? 'period',
    countCancelledEvents: o.countCancelledEvents ?? true,
    finessMode: o.finessMode ?? 'lenient',
    timezoneOverrides: o.timezoneOverrides ?? {},
    projectStartDate: o.projectStartDate ?? null,
    allCarePlansAreProjetPersonnalise: o.allCarePlansAreProjetPersonnalise ?? false,
  };
}

/**
 * The time zones a computation classifies every time against (vocabulary/zone-set.ts says why): those
 * FINESS numbers map to, then those of the overrides, each once.
 */
export function candidateTimezones(timezoneOverrides: Readonly<Record<string, string>>): string[] {
  return [...new Set([...FINESS_TIMEZONES, ...Object.values(timezoneOverrides)])];
}

/** More candidate zones than a `ZoneSet` holds would wrap onto other zones: refused, naming the option. */
function tooManyTimezones(overrides: unknown): OptionIssue | null {
  if (!isRecord(overrides)) return null;
  const zones = new Set([
    ...FINESS_TIMEZONES,
    ...Object.values(overrides).filter((v) => typeof v === 'string'),
  ]);
  if (zones.size <= MAX_ZONES) return null;
  const extra = zones.size - FINESS_TIMEZONES.length;
  return {
    key: 'timezoneOverrides',
    message: `names ${extra} distinct time zones besides those FINESS numbers map to: at most ${MAX_ZONES - FINESS_TIMEZONES.length} are supported`,
  };
}

/** The serialisable part of resolved options, as sealed in evidence. */
export function serialisableOptions(options: ResolvedOptions): Required<ComputeOptions> {
  return { ...options, timezoneOverrides: { ...options.timezoneOverrides } };
}
