/** What `esms verify` reports: findings naming the entry and the check, and a summary. */

/** What each finding is about. */
export type VerificationCheck =
  | 'input'
  | 'bundle'
  | 'manifest'
  | 'public-key'
  | 'wrong-key'
  | 'key-rotation'
  | 'journal'
  | 'entry-format'
  | 'incomplete-last-entry'
  | 'seq'
  | 'prev-hash'
  | 'hash'
  | 'signature'
  | 'blob-missing'
  | 'blob-digest'
  | 'projection'
  | 'recompute'
  | 'results'
  | 'submission'
  | 'evidence-seal'
  | 'subjects'
  | 'receipt'
  | 'anchor'
  | 'expected-head'
  | 'timestamp'
  | 'measures'
  | 'retention';

/**
 * `error`: the evidence does not prove what it claims (verification fails). `warning`: worth knowing,
 * proves nothing false (a crash-torn final line, other measure definitions). `info`: context only.
 */
export type FindingSeverity = 'error' | 'warning' | 'info';

export interface VerificationFinding {
  /** The journal entry concerned, or `null` for the store as a whole. */
  seq: number | null;
  check: VerificationCheck;
  severity: FindingSeverity;
  message: string;
}

/** One sealed run as verification saw it (the report lists these). */
export interface VerifiedRun {
  seq: number;
  runId: string;
  measureDate: string;
  /** Whether every figure was recomputed from the projection and matched. */
  recomputed: boolean;
  ok: boolean;
  /** The evidence seal its submission carries (the `run-sealed` entry's hash), `null` for runs before it. */
  seal: { hash: string; previous: string } | null;
}

/** A key the journal was signed with, in the order it was used. */
export interface JournalKey {
  fingerprint: string;
  /** First entry signed with it. */
  fromSeq: number | null;
}

export interface VerificationReport {
  /** Everything holds and at least one entry was checked. */
  ok: boolean;
  /**
   * The store holds no entry yet (a fresh `esms init`, or a first run that never got to its seal): nothing
   * to check and nothing to sign, which is not tampering. `ok` is then `false`, with no error.
   */
  nothingSealed: boolean;
  path: string;
  kind: 'store' | 'bundle';
  summary: {
    entries: number;
    runs: number;
    runsRecomputed: number;
    blobs: number;
    lastSeq: number | null;
    lastHash: string | null;
    /** The key the store says it is signed with (its public key file), the last of `keys`. */
    keyFingerprint: string | null;
    expectedKeyFingerprint: string | null;
    /** Every key the journal was signed with, following `key-rotated` entries. */
    keys: JournalKey[];
    /** `--expect-head`: the hash given, and the seq of the entry that has it (`null`: not in the chain). */
    expectedHead: { hash: string; seq: number | null } | null;
    /** RFC 3161 tokens found, and how many were checked against the TSA's certificate. */
    timestamps: { tokens: number; verified: number; entriesWithout: number };
    /**
     * `checked`: an exported bundle's MANIFEST.txt (in the archive, or unpacked by hand) was compared with
     * the journal; `absent`: a store directory without one, nothing compared.
     */
    manifest: 'checked' | 'absent';
    errors: number;
    warnings: number;
  };
  runs: VerifiedRun[];
  findings: VerificationFinding[];
}
