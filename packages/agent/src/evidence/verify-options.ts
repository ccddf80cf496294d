import type { JournalEntry } from './journal.js';
import type { EvidenceRules } from './recompute.js';

/** What `verifyEvidence` checks beyond the store itself: the key and head expected, the rules, the retention. */
export interface VerifyOptions {
  /** PEM of the key the evidence must be signed with (`--public-key FILE`). */
  publicKeyPem?: string;
  /** Or its fingerprint, as printed by `esms init` and on the report. */
  expectedFingerprint?: string;
  /**
   * `--expect-head HASH`: the hash of an entry that must be in the chain (printed on a signed report, or the
   * evidence seal an ARS holds). Any truncation before it, or a rewritten chain, fails.
   */
  expectedHead?: string;
  /** PEM of the certificate(s) of the time-stamping authority (its CA): RFC 3161 tokens are checked with it. */
  tsaCaPem?: string;
  /** At most this many bytes extracted from a bundle (default `DEFAULT_MAX_EXTRACT_BYTES`). */
  maxExtractBytes?: number;
  /**
   * The rules used to recompute. Default: the SDK's. `null` means none are available, which fails
   * every run's recomputation check.
   */
  rules?: EvidenceRules | null;
  /** Also report entries older than this many years (reported only: nothing is ever deleted). */
  retentionYears?: number;
  /**
   * Which sealed runs to recompute and compare (default: every one). The others are left out of `runs`;
   * digests, links and signatures are checked for every entry regardless (`esms export` checks the one
   * run it exports).
   */
  recomputeRuns?: (entry: JournalEntry) => boolean;
  /**
   * A store directory that does not exist yet is "nothing sealed" rather than an unreadable path
   * (`esms report` on an installation that never ran; `esms verify PATH` keeps a missing path an error).
   */
  absentStoreIsEmpty?: boolean;
  /**
   * How many threads recompute each run (1: this one). Default: chosen from the size of the run's
   * projection (verify-threads.ts `verifyThreadsFor`), so a small store is not slowed by starting threads.
   */
  verifyThreads?: number;
  now?: () => Date;
}
