import { pseudonymiseFact, type Fact } from '@esms-numerique/sdk';
import {
  createProjectionSegmentEncoder,
  type ProjectionSegment,
  type ProjectionSegmentEncoder,
} from '../evidence/projection-segment.js';
import { createPseudonymiser } from '../evidence/pseudonymiser.js';
import { sealedInputNamer, withSealedInput } from '../evidence/sealed-input-names.js';
import type { Fact as EvidenceFact } from '../evidence/recompute.js';

/**
 * What a run that seals hands the readers so that they build the evidence's projection themselves: each
 * reader (this thread or a worker) pseudonymises and encodes the facts of the input slices it reads, and
 * the segments are appended here in input order (see `projection-segment.ts`).
 */
export interface ProjectionSink {
  /** The pseudonym secret, handed to the reader threads of this process (it never leaves the machine). */
  readonly pseudonymSecret: Uint8Array;
  /** The configured file source paths: a fact's `location.input` is sealed relative to them (audit G10). */
  readonly sealedInputRoots: readonly string[];
  /** A pseudonymised fact read in this thread outside any segment (a FHIR source), in the order read. */
  write(fact: EvidenceFact): void;
  /** A finished segment, in input order. */
  appendSegment(segment: ProjectionSegment): void;
}

/** One reader's side: routes its engine's facts to the segment being read, or elsewhere (see below). */
export interface FactCollector {
  /** The engine's `onFact`. */
  readonly onFact: (fact: Fact) => void;
  beginSegment(): void;
  endSegment(): ProjectionSegment;
  /**
   * Time-form counts (`field|deviations` → count). The extractor counts them over everything a reader
   * read and hands them over at its end, so they are summed over the readers and sealed once, in one
   * order: the last segment (`timeFormSegment`).
   */
  readonly timeForms: Map<string, number>;
}

/** How a field of an SDK fact is pseudonymised (`pseudonymiseFact`, which stays the definition). */
const enum Sealed {
  /** Kept as it is (FINESS numbers, dates, statuses, kinds). */
  Plain,
  /** A key (a string). */
  Key,
  /** A key or `null`. */
  KeyOrNull,
  /** A list of keys. */
  Keys,
  /** A list of keys, or absent. */
  KeysOrAbsent,
  /** A `record` fact's `id`: the pseudonym of its whole `Type/id`. */
  RecordId,
}

/**
 * The fields of the kinds written without building the pseudonymised copy of each fact (issue 13: a million
 * facts at size L were copied twice, once by `pseudonymiseFact`, once to rename inputs, then walked again by
 * the encoder). It says, field by field, what `pseudonymiseFact` does. A fact of any other kind (`problem`:
 * its `location` is renamed too), or with a field not listed, or a value of another type than listed, goes
 * through `pseudonymiseFact` itself, so a field the SDK adds is never written as read.
 * `projection-facts.test.ts` checks that both ways give the same bytes.
 */
const SEALED_FIELDS: ReadonlyMap<string, ReadonlyMap<string, Sealed>> = new Map(
  Object.entries({
    record: { resourceType: Sealed.Plain, id: Sealed.RecordId, lastUpdated: Sealed.Plain },
    organisation: {
      key: Sealed.Key,
      aliases: Sealed.Keys,
      fineg: Sealed.Plain,
      finej: Sealed.Plain,
      finess: Sealed.Plain,
      partOf: Sealed.KeyOrNull,
      name: Sealed.Plain,
    },
    patient: { key: Sealed.Key, aliases: Sealed.Keys, ins: Sealed.Keys, links: Sealed.Keys },
    sejour: {
      key: Sealed.Key,
      aliases: Sealed.Keys,
      resourceType: Sealed.Plain,
      subject: Sealed.KeyOrNull,
      provider: Sealed.KeyOrNull,
      status: Sealed.Plain,
      start: Sealed.Plain,
      end: Sealed.Plain,
      partOf: Sealed.KeyOrNull,
    },
    event: {
      record: Sealed.Key,
      resourceType: Sealed.Plain,
      subject: Sealed.KeyOrNull,
      status: Sealed.Plain,
      start: Sealed.Plain,
      partOf: Sealed.KeyOrNull,
    },
    'projet-personnalise': {
      record: Sealed.Key,
      subject: Sealed.KeyOrNull,
      status: Sealed.Plain,
      created: Sealed.Plain,
      end: Sealed.Plain,
    },
    update: {
      record: Sealed.Key,
      resourceType: Sealed.Plain,
      subjects: Sealed.Keys,
      at: Sealed.Plain,
      via: Sealed.Plain,
    },
    usage: {
      record: Sealed.Key,
      kind: Sealed.Plain,
      at: Sealed.Plain,
      success: Sealed.Plain,
      subject: Sealed.KeyOrNull,
      org: Sealed.KeyOrNull,
      orgUntyped: Sealed.Plain,
      otherOrgs: Sealed.KeysOrAbsent,
    },
  }).map(([kind, fields]) => [kind, new Map(Object.entries(fields))]),
);

/**
 * A collector pseudonymising with `secret`; facts outside a segment go to `outside` (already pseudonymised),
 * or are refused (a worker thread only reads segments).
 */
export function createFactCollector(
  secret: Uint8Array,
  sealedInputRoots: readonly string[],
  outside?: (fact: EvidenceFact) => void,
): FactCollector {
  const pseudonymise = createPseudonymiser(secret);
  const sealedInput = sealedInputNamer(sealedInputRoots);
  const timeForms = new Map<string, number>();
  let segment: ProjectionSegmentEncoder | undefined;
  // `pseudonymiseFact`'s own rule: FINESS keys are kept.
  const p = (key: string): string => (key.startsWith('finess:') ? key : pseudonymise(key));
  const pOwn = (key: string): string => (key.startsWith('finess:') ? key : pseudonymise.own(key));
  const names: string[] = [];
  const values: unknown[] = [];
  /** Writes `fact` pseudonymised field by field into `into`; false (nothing written) when it cannot. */
  const writeFields = (fact: Fact, into: ProjectionSegmentEncoder): boolean => {
    const fields = SEALED_FIELDS.get(fact.k);
    if (fields === undefined) return false;
    const record = fact as unknown as Record<string, unknown>;
    let count = 0;
    for (const name in record) {
      if (name === 'k') continue;
      const how = fields.get(name);
      if (how === undefined) return false;
      let value = record[name];
      switch (how) {
        case Sealed.Plain:
          break;
        case Sealed.Key:
          if (typeof value !== 'string') return false;
          value = p(value);
          break;
        case Sealed.KeyOrNull:
          if (value === null) break;
          if (typeof value !== 'string') return false;
          value = p(value);
          break;
        case Sealed.KeysOrAbsent:
        case Sealed.Keys: {
          if (value === undefined && how === Sealed.KeysOrAbsent) break;
          if (!Array.isArray(value)) return false;
          const keys = value as unknown[];
          const sealed = new Array<string>(keys.length);
          for (let i = 0; i < keys.length; i += 1) {
            const key = keys[i];
            if (typeof key !== 'string') return false;
            sealed[i] = p(key);
          }
          value = sealed;
          break;
        }
        case Sealed.RecordId: {
          if (value === null) break;
          const type = record['resourceType'];
          if (typeof value !== 'string' || typeof type !== 'string') return false;
          // The record's own key: its next facts name it again, later records seldom (`Pseudonymiser`).
          value = pOwn(`${type}/${value}`);
          break;
        }
      }
      names[count] = name;
      values[count] = value;
      count += 1;
    }
    into.addFields(fact.k, names, values, count);
    return true;
  };
  return {
    timeForms,
    onFact(fact) {
      if (fact.k === 'time-form') {
        const key = `${fact.field}|${fact.deviations}`;
        timeForms.set(key, (timeForms.get(key) ?? 0) + fact.count);
        return;
      }
      if (segment !== undefined && writeFields(fact, segment)) return;
      // The evidence code treats facts as opaque JSON (its verifier takes the rules as a parameter).
      const sealed = withSealedInput(
        pseudonymiseFact(fact, pseudonymise),
        sealedInput,
      ) as unknown as EvidenceFact;
      if (segment !== undefined) segment.add(sealed);
      else if (outside !== undefined) outside(sealed);
      else throw new Error('a fact read outside a projection segment');
    },
    beginSegment() {
      segment = createProjectionSegmentEncoder();
    },
    endSegment() {
      const ended = segment?.finish() ?? { members: [], bytes: 0, count: 0 };
      segment = undefined;
      return ended;
    },
  };
}

/** Adds a reader's time-form counts to another's. */
export function addTimeForms(into: Map<string, number>, from: Iterable<[string, number]>): void {
  for (const [key, count] of from) into.set(key, (into.get(key) ?? 0) + count);
}

/** The summed time-form facts as one segment, by key in code-unit order (however the readers shared the input). */
export function timeFormSegment(timeForms: ReadonlyMap<string, number>): ProjectionSegment {
  const encoder = createProjectionSegmentEncoder();
  for (const [key, count] of [...timeForms].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const bar = key.lastIndexOf('|');
    encoder.add({ k: 'time-form', field: key.slice(0, bar), deviations: Number(key.slice(bar + 1)), count });
  }
  return encoder.finish();
}
