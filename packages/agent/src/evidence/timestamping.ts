/**
 * Trusted timestamps (RFC 3161) for the journal: after each append, every entry without a token is sent to
 * the configured time-stamping authority (its hash only: nothing else leaves the machine), and the token is
 * kept in `timestamps/<hash>.tsr`. A TSA that cannot be reached never stops a run: the entry is stamped at
 * a later append, and `esms verify` names the entries left without a token.
 *
 * The ASN.1 code (pkijs, asn1js) and the HTTP client (undici) are loaded only when a TSA is configured: a
 * run without one never needs them, and loading them was a part of `run-once`'s start (issue 13).
 */
import { readFile } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { canonicalJson } from './canonical-json.js';
import { writeFileDurably } from '../durable-fs.js';
import type { TimestampingConfig } from '../config/agent-config-schema.js';
import type { JournalEntry } from './journal.js';
import { listTimestamps, timestampPath } from './timestamp-files.js';

/** At most this many entries without a token are stamped after one append (a backlog is caught up over runs). */
export const TIMESTAMP_BACKLOG_PER_APPEND = 20;

/** Asks a TSA for a token on a hash (hex); resolves with the DER response. */
export type TimestampClient = (hashHex: string) => Promise<Buffer>;

export interface Timestamping {
  client: TimestampClient;
  /** PEM of the TSA's CA: a token is kept only once it verifies against it. */
  caPem: string | null;
  /** Told about each entry that could not be stamped this time (the run goes on). */
  onError?: (entry: Pick<JournalEntry, 'seq' | 'hash'>, error: unknown) => void;
}

export class TimestampError extends Error {
  override readonly name = 'TimestampError';
}

/** The HTTP client of contract-free RFC 3161 over HTTP (RFC 3161 §3.4): one POST per hash. */
export function httpTimestampClient(
  config: Pick<TimestampingConfig, 'url' | 'timeoutMs' | 'proxy'>,
): TimestampClient {
  const url = new URL(config.url);
  let dispatcher: Dispatcher | undefined;
  return async (hashHex) => {
    const [{ createFetchDispatcher }, { timeStampRequest }] = await Promise.all([
      import('../http/fetch-dispatcher.js'),
      import('./timestamp-token.js'),
    ]);
    dispatcher ??= createFetchDispatcher(url, { proxy: config.proxy ?? undefined });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
      body: timeStampRequest(hashHex),
      signal: AbortSignal.timeout(config.timeoutMs),
      // @ts-expect-error undici's fetch takes a dispatcher; the DOM typing of fetch does not list it
      dispatcher,
    });
    if (!response.ok) throw new TimestampError(`the TSA answered HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  };
}

/** The timestamping of a configured agent, or `null` without a TSA. */
export async function timestampingFromConfig(
  config: TimestampingConfig | null,
  onError?: Timestamping['onError'],
): Promise<Timestamping | null> {
  if (config === null) return null;
  const caPem = config.caFile === null ? null : await readFile(config.caFile, 'utf8');
  return { client: httpTimestampClient(config), caPem, ...(onError === undefined ? {} : { onError }) };
}

/**
 * Stamps the entries that have no token yet (the newest first), each token checked before it is kept: it
 * must stamp that entry's hash and, with a CA, verify. Stops at the first failure (the TSA is down: the
 * others would fail too). Returns how many were stamped.
 */
export async function stampPending(
  storeDir: string,
  entries: readonly JournalEntry[],
  timestamping: Timestamping,
): Promise<number> {
  const { certificatesFromPem, readTimestamp, verifyTimestamp } = await import('./timestamp-token.js');
  const { hashes } = await listTimestamps(storeDir);
  const stamped = new Set(hashes);
  const pending = entries
    .filter((e) => !stamped.has(e.hash))
    .slice(-TIMESTAMP_BACKLOG_PER_APPEND)
    .reverse();
  const trusted = timestamping.caPem === null ? null : certificatesFromPem(timestamping.caPem);
  let count = 0;
  for (const entry of pending) {
    try {
      const der = await timestamping.client(entry.hash);
      const imprint = readTimestamp(der).imprint;
      if (imprint !== entry.hash) throw new TimestampError(`the TSA stamped another hash (${imprint})`);
      if (trusted !== null) {
        const { seq, type, time, prevHash, payload } = entry;
        const verdict = await verifyTimestamp(
          der,
          Buffer.from(canonicalJson({ seq, type, time, prevHash, payload })),
          trusted,
        );
        if (!verdict.ok) throw new TimestampError(`the TSA's token does not verify: ${verdict.problem}`);
      }
      await writeFileDurably(timestampPath(storeDir, entry.hash), der);
      count += 1;
    } catch (error) {
      timestamping.onError?.(entry, error);
      break;
    }
  }
  return count;
}
