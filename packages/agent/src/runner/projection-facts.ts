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
  return {
    timeForms,
    onFact(fact) {
      if (fact.k === 'time-form') {
        const key = `${fact.field}|${fact.deviations}`;
        timeForms.set(key, (timeForms.get(key) ?? 0) + fact.count);
        return;
      }
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
