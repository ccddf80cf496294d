import { Accumulator, type AccumulatorState } from './accumulator.js';
import { SdkError } from './errors.js';
import type { EstablishmentExplanation } from './explain.js';
import type { Fact } from './facts.js';
import { finalize, type Computation } from './finalize.js';
import {
  candidateTimezones,
  resolveOptions,
  type ComputeOptions,
  type EngineOptions,
  type ResolvedOptions,
} from './options.js';
import { createFactExtractor, type RecordLocation } from './read/extract.js';
import type { FindingLocation } from './results.js';
import { buildPeriodGrid } from './vocabulary/period.js';

/**
 * The streaming engine: feed it records one at a time, in any order, then call `finish()` once.
 * Pure: no I/O, no clock (the measurement date is an option), silent, and it never throws on bad data.
 */
export interface Engine {
  /**
   * Adds a FHIR resource or a Bundle (its entries are added, `urn:uuid:` full URLs resolved). `location`
   * says where it was read (findings about it say so) and, for readers that share an input out, its place
   * in the whole input (see `RecordLocation`).
   */
  add(record: unknown, location?: RecordLocation): void;
  /** Adds a fact directly (recomputation from a projection). */
  addFact(fact: Fact): void;
  /**
   * Reports input that could not even be parsed (a bad NDJSON line), so it appears in data quality. A
   * string names the input (a file, or `file:line` as it used to); a `RecordLocation` says where exactly.
   */
  reportUnreadable(location: string | RecordLocation, reason: string): void;
  /**
   * Reports an input that could not be read to its end (a truncated or corrupt file, a Bulk manifest or a
   * file it lists, a FHIR search that stops early): an `input-incomplete` error naming the input and how far
   * it got (`location.line`, `location.byteOffset`: what was read). The figures of what was read are still
   * computed: a caller that seals or submits them must not (indicators.md "A record and an input").
   */
  reportIncomplete(location: RecordLocation & { input: string }, reason: string): void;
  /**
   * What this engine has counted, as plain data, so that engines fed with parts of one input (worker
   * threads) can be combined: `mergePartial` on one of them, then `finish`. Only between engines created
   * with the same options. It ends this engine, like `finish`: the state is handed over (views of the
   * engine's own typed arrays, which a worker thread transfers), not copied.
   */
  exportPartial(): EnginePartial;
  /** Every key a Patient read so far can be referred to by (see `EngineOptions.knownPersonKeys`). */
  personKeys(): string[];
  mergePartial(partial: EnginePartial): void;
  /** Resolves references and persons and computes every figure. */
  finish(): Computation;
  /** The options actually used, defaults applied: what evidence seals. */
  readonly options: ResolvedOptions;
}

const PARTIAL_FORMAT = 2;

/** An engine's counted state as plain data (see `Engine.exportPartial`). Opaque to callers. */
export interface EnginePartial {
  readonly format: number;
  readonly optionsKey: string;
  readonly state: AccumulatorState;
}

export function createEngine(options: EngineOptions): Engine {
  const resolved = resolveOptions(options);
  const timezones = candidateTimezones(resolved.timezoneOverrides);
  const grid = buildPeriodGrid(resolved.measureDate, timezones, resolved.projectStartDate);
  const acc = new Accumulator(grid, resolved);
  for (const key of options.knownPersonKeys ?? []) acc.knownPersonKeys.add(key);
  const extract = createFactExtractor(options);
  const optionsKey = JSON.stringify(resolved);
  const onFact = options.onFact;
  const emit = onFact
    ? (fact: Fact): void => {
        onFact(fact);
        acc.add(fact);
      }
    : (fact: Fact): void => acc.add(fact);
  let finished = false;

  const ensureOpen = (): void => {
    if (finished) throw new SdkError('engine-finished', 'the engine has already finished: create a new one');
  };

  return {
    options: resolved,
    add(record, location) {
      ensureOpen();
      acc.order = location?.order ?? 0;
      extract(record, emit, location);
    },
    addFact(fact) {
      ensureOpen();
      acc.order = 0;
      acc.add(fact);
    },
    reportUnreadable(location, reason) {
      ensureOpen();
      emit({
        k: 'problem',
        code: 'unreadable-input',
        resourceType: 'unknown',
        // A string is also the finding's id, as before `RecordLocation` (callers that match on it).
        ...(typeof location === 'string' ? { id: location } : {}),
        message: reason,
        location: findingLocation(typeof location === 'string' ? { input: location } : location),
      });
    },
    reportIncomplete(location, reason) {
      ensureOpen();
      emit({
        k: 'problem',
        code: 'input-incomplete',
        resourceType: 'unknown',
        message: reason,
        location: findingLocation(location),
      });
    },
    exportPartial() {
      ensureOpen();
      extract.flush(emit);
      finished = true;
      return { format: PARTIAL_FORMAT, optionsKey, state: acc.exportState() };
    },
    personKeys() {
      const keys: string[] = [];
      for (const patient of acc.patients.values()) keys.push(patient.key, ...patient.aliases);
      return keys;
    },
    mergePartial(partial) {
      ensureOpen();
      if (partial.format !== PARTIAL_FORMAT || partial.optionsKey !== optionsKey) {
        throw new SdkError(
          'invalid-options',
          'cannot merge the partial state of an engine created with other options',
        );
      }
      acc.mergeState(partial.state);
    },
    finish() {
      ensureOpen();
      extract.flush(emit);
      finished = true;
      acc.settle();
      return finalize(acc);
    },
  };
}

/**
 * Computes the indicators from any iterable or async iterable of FHIR resources and Bundles, in any order.
 * Streaming: records are not kept, only per-person state.
 */
export async function computeIndicators(
  input: Iterable<unknown> | AsyncIterable<unknown>,
  options: EngineOptions,
): Promise<Computation> {
  const engine = createEngine(options);
  for await (const record of input) engine.add(record);
  return engine.finish();
}

/** Synchronous variant of `computeIndicators` for in-memory arrays and generators. */
export function computeIndicatorsSync(input: Iterable<unknown>, options: EngineOptions): Computation {
  const engine = createEngine(options);
  for (const record of input) engine.add(record);
  return engine.finish();
}

/**
 * Recomputes every figure from a projection (the facts an earlier computation extracted, usually
 * pseudonymised), with the options it was computed with. What an auditor runs to check sealed figures.
 */
export async function recomputeFromProjection(
  facts: Iterable<Fact> | AsyncIterable<Fact>,
  options: ComputeOptions,
): Promise<Computation> {
  const engine = createEngine(options);
  for await (const fact of facts) engine.addFact(fact);
  return engine.finish();
}

/** The explanation of one ESSMS: who is in each denominator and numerator, and why others are not. */
export function explainEstablishment(
  computation: Computation,
  finess: string,
): EstablishmentExplanation | undefined {
  return computation.subjects.find((s) => s.finess === finess);
}

/** The parts of a location that findings show (not `order`). */
function findingLocation(location: RecordLocation): FindingLocation {
  return {
    ...(location.input === undefined ? {} : { input: location.input }),
    ...(location.line === undefined ? {} : { line: location.line }),
    ...(location.byteOffset === undefined ? {} : { byteOffset: location.byteOffset }),
  };
}
