/**
 * The evidence seal a submission carries to the ARS (contract.md §5), so that the ARS keeps, with every
 * report it stores, an independent copy of the head of the establishment's evidence chain.
 *
 * The construction: the hash of an entry cannot be inside the entry, and the exact bytes sent must be
 * sealed before they are sent. So a run is sealed in two entries. The `run-sealed` entry (projection,
 * results, subject lists, submission id) comes first; its hash H is the seal. The submission bytes are then
 * built carrying H (and the entry before it, H's `prevHash`), and sealed by the next entry,
 * `submission-sealed`, which names H. Only then is anything sent. The submission identifier is derived from
 * the figures alone (not from the seal), so the same figures sealed again by a later run create nothing
 * new at the ARS, which keeps the seal it received first.
 */
import type { Extension } from 'fhir/r4.js';
import { asArray, field } from './json-access.js';
import type { JournalEntry } from './journal.js';
import { isRecord } from '../shared/is-record.js';

/** On every MeasureReport submitted and on the Bundle's `meta`: the hash of the run's `run-sealed` entry. */
export const EVIDENCE_SEAL_URL = 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal';
/** Beside it: the hash of the entry before (the `prevHash` of the `run-sealed` entry). */
export const EVIDENCE_SEAL_PREVIOUS_URL =
  'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal-previous';

const HASH_PATTERN = /^[0-9a-f]{64}$/;

export function isEntryHash(value: unknown): value is string {
  return typeof value === 'string' && HASH_PATTERN.test(value);
}

/** The two extensions, as FHIR `Extension`s. */
export function evidenceSealExtensions(seal: {
  hash: string;
  previous: string;
}): { url: string; valueString: string }[] {
  return [
    { url: EVIDENCE_SEAL_URL, valueString: seal.hash },
    { url: EVIDENCE_SEAL_PREVIOUS_URL, valueString: seal.previous },
  ];
}

/**
 * `element` (a MeasureReport, a Bundle's `meta`) with the seal's two extensions in place of any it carried;
 * its other extensions kept. For the submission and for the exported Bundle alike.
 */
export function withEvidenceSeal<T extends { extension?: Extension[] | undefined }>(
  element: T,
  seal: { hash: string; previous: string },
): T {
  const kept = (element.extension ?? []).filter(
    (e) => e.url !== EVIDENCE_SEAL_URL && e.url !== EVIDENCE_SEAL_PREVIOUS_URL,
  );
  return { ...element, extension: [...kept, ...evidenceSealExtensions(seal)] };
}

/** The value of the extension `url` in an `extension` array (untrusted JSON), or `null`. */
export function extensionValue(extensions: unknown, url: string): string | null {
  for (const extension of asArray(extensions)) {
    if (isRecord(extension) && extension['url'] === url) {
      const value = field(extension, 'valueString');
      return typeof value === 'string' ? value : null;
    }
  }
  return null;
}

/** The seal an element carries (a MeasureReport, a Bundle's `meta`, a transaction-response entry). */
export function sealCarried(element: unknown): { hash: string | null; previous: string | null } {
  const extensions = field(element, 'extension');
  return {
    hash: extensionValue(extensions, EVIDENCE_SEAL_URL),
    previous: extensionValue(extensions, EVIDENCE_SEAL_PREVIOUS_URL),
  };
}

/**
 * The entry that seals the submission of `run`: the `submission-sealed` entry naming its hash (the evidence
 * seal), or the run's own entry for runs sealed before it (esms 0.1, `submission` in the same entry);
 * `undefined` when it was never sealed.
 */
export function sealedSubmissionOf(
  entries: readonly JournalEntry[],
  run: JournalEntry,
): JournalEntry | undefined {
  if ('submission' in run.payload) return run;
  return entries.find(
    (e) => e.type === 'submission-sealed' && field(e.payload['runEntry'], 'hash') === run.hash,
  );
}
