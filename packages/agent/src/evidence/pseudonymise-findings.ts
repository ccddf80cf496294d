/**
 * Data-quality findings name records: their own (`resourceType` + `id`) and, by the convention all
 * findings follow, any other record in `related` (`["Patient/x"]`), never inside `message`. So the ids of
 * the DUI can be replaced structurally by their pseudonyms before anything is sealed or exported
 * (contract.md §5): the same HMAC pseudonym as the record's key in the projection and the subject lists.
 */
import { asArray } from './json-access.js';
import { isRecord } from '../shared/is-record.js';
import { mapFindings, type FindingsLike } from './map-findings.js';

/** Ids that name no record (`(more)` on a summary finding, `(none)`, `(no id)`): kept as they are. */
const PLACEHOLDER = /^\(.*\)$/;

/** The record key a finding's type and id stand for (`Patient/pat-1`; a `urn:` id is its own key). */
function recordKeyOf(resourceType: unknown, id: string): string {
  if (id.startsWith('urn:')) return id;
  return `${typeof resourceType === 'string' ? resourceType : 'unknown'}/${id}`;
}

/** Whether a finding id has already been pseudonymised (stores written since the findings were). */
export function isPseudonym(value: string): boolean {
  return value.startsWith('p:');
}

/** One finding with its `id` and `related` pseudonymised (the rest, FINESS and counts included, as is). */
export function pseudonymiseFinding(finding: unknown, pseudonymise: (key: string) => string): unknown {
  if (!isRecord(finding)) return finding;
  const out: Record<string, unknown> = { ...finding };
  const id = finding['id'];
  if (typeof id === 'string' && !PLACEHOLDER.test(id) && !isPseudonym(id)) {
    out['id'] = pseudonymise(recordKeyOf(finding['resourceType'], id));
  }
  if (Array.isArray(finding['related'])) {
    out['related'] = asArray(finding['related']).map((reference) => {
      if (typeof reference !== 'string') return reference;
      const slash = reference.indexOf('/');
      if (reference.startsWith('urn:') || slash <= 0) return pseudonymise(reference);
      const rest = reference.slice(slash + 1);
      return isPseudonym(rest) ? reference : `${reference.slice(0, slash)}/${pseudonymise(reference)}`;
    });
  }
  return out;
}

/** Both lists of a results document's `dataQuality`, pseudonymised. */
export function pseudonymiseFindings<T extends FindingsLike>(
  dataQuality: T,
  pseudonymise: (key: string) => string,
): T {
  return mapFindings(dataQuality, (f) => pseudonymiseFinding(f, pseudonymise));
}

/**
 * Record ids in clear in a sealed results document: what runs sealed before findings were pseudonymised
 * hold (their bytes cannot change; export-evidence says so rather than hide it).
 */
export function clearRecordIds(results: unknown): number {
  if (!isRecord(results) || !isRecord(results['dataQuality'])) return 0;
  let count = 0;
  for (const list of [results['dataQuality']['errors'], results['dataQuality']['warnings']]) {
    for (const finding of asArray(list)) {
      const id = isRecord(finding) ? finding['id'] : undefined;
      if (typeof id === 'string' && !PLACEHOLDER.test(id) && !isPseudonym(id)) count += 1;
    }
  }
  return count;
}
