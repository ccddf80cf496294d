/**
 * Which candidate séjours really are séjours, decided once everything is read (data-model.md: an
 * Encounter whose `partOf` is a séjour is an agenda event, never a second séjour), and the séjour each
 * reference key names. What makes a séjour count is rules/accompanied.ts.
 */
import { compareText } from '../order.js';
import type { SejourCandidate } from '../rules/accompanied.js';
import type { OrgRec, Organisations } from './establishments.js';

/** Chains of `partOf` longer than this are cut (a malformed input must not recurse forever). */
const MAX_PART_OF_DEPTH = 32;

export interface Sejours {
  /** Every candidate, in key order. */
  readonly candidates: readonly SejourCandidate[];
  readonly byAlias: ReadonlyMap<string, SejourCandidate>;
  /** A candidate is a séjour unless its `partOf` is itself a séjour. */
  readonly isSejour: (s: SejourCandidate) => boolean;
}

/** Sorts the candidates in place by key, so an alias shared by two records resolves the same way every time. */
export function classifySejours(candidates: SejourCandidate[]): Sejours {
  candidates.sort((a, b) => compareText(a.fact.key, b.fact.key));
  const byAlias = new Map<string, SejourCandidate>();
  for (const s of candidates) {
    for (const key of [s.fact.key, ...s.fact.aliases]) if (!byAlias.has(key)) byAlias.set(key, s);
  }
  const memo = new Map<SejourCandidate, boolean>();
  const classify = (s: SejourCandidate, depth: number): boolean => {
    const known = memo.get(s);
    if (known !== undefined) return known;
    let result = true;
    if (s.fact.partOf !== null && depth < MAX_PART_OF_DEPTH) {
      const parent = byAlias.get(s.fact.partOf);
      if (parent !== undefined && parent !== s) result = !classify(parent, depth + 1);
    }
    memo.set(s, result);
    return result;
  };
  return { candidates, byAlias, isSejour: (s) => classify(s, 0) };
}

/** The Organizations that provide a séjour (candidate ESSMS even without a FINESS géographique). */
export function sejourProviders(sejours: Sejours, organisations: Organisations): Set<OrgRec> {
  const providers = new Set<OrgRec>();
  for (const s of sejours.candidates) {
    if (!sejours.isSejour(s) || s.fact.provider === null) continue;
    const org = organisations.byAlias.get(s.fact.provider);
    if (org) providers.add(org);
  }
  return providers;
}
