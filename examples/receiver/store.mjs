// @ts-check
/**
 * The receiver's store: one JSON file per accepted MeasureReport (the truth), an identifier index rebuilt
 * from them at start (`index.json` is a view of it), and one idempotency record per `Idempotency-Key`.
 * Every file is written durably (temp file, fsync, rename, fsync of the directory).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject, sha256Hex } from '../support/json.mjs';
import { sealOf, submissionKey } from './protocol.mjs';

/** @typedef {{ id: string, location: string, lastUpdated: string, seal: string | null }} StoredReport */
/** @typedef {{ key: string, requestDigest: string, figuresDigest?: string, status: number, body: unknown, entries: number }} IdempotencyRecord */

/**
 * Opens (creating it if need be) the store under `dataDir`.
 * @param {string} dataDir
 */
export async function openReportStore(dataDir) {
  const reportsDir = join(dataDir, 'MeasureReport');
  const idempotencyDir = join(dataDir, 'idempotency');
  await mkdir(reportsDir, { recursive: true });
  await mkdir(idempotencyDir, { recursive: true });
  /** identifier key (`system|value`) → stored report */
  const index = await loadIndex(reportsDir);

  /** @param {string} key */
  const idempotencyFile = (key) => join(idempotencyDir, `${sha256Hex(key)}.json`);

  return {
    /** How many reports are stored. */
    get size() {
      return index.size;
    },
    /**
     * The report stored under this identifier key, if any.
     * @param {string} identifierKey
     * @returns {StoredReport | undefined}
     */
    find(identifierKey) {
      return index.get(identifierKey);
    },
    /**
     * Stores a new report (a new id, version 1) under its identifier key.
     * @param {string} identifierKey
     * @param {unknown} report  A MeasureReport `validateBundle` accepted.
     * @returns {Promise<StoredReport>}
     */
    async add(identifierKey, report) {
      const id = randomUUID();
      const lastUpdated = new Date().toISOString();
      const resource = { ...(isObject(report) ? report : {}), id, meta: { versionId: '1', lastUpdated } };
      await writeDurably(join(reportsDir, `${id}.json`), `${JSON.stringify(resource, null, 2)}\n`);
      const stored = { id, location: `MeasureReport/${id}/_history/1`, lastUpdated, seal: sealOf(report) };
      index.set(identifierKey, stored);
      return stored;
    },
    /** Writes the index view (`index.json`). */
    async saveIndex() {
      const entries = [...index.entries()].map(([identifier, stored]) => ({ identifier, ...stored }));
      await writeDurably(join(dataDir, 'index.json'), `${JSON.stringify({ entries }, null, 2)}\n`);
    },
    /**
     * A stored report's JSON text, or undefined.
     * @param {string} id
     * @returns {Promise<string | undefined>}
     */
    readReport(id) {
      return readFile(join(reportsDir, `${id}.json`), 'utf8').catch(() => undefined);
    },
    /**
     * The stored reports, all or the one of an identifier key, as searchset entries.
     * @param {string | null} wanted
     */
    async search(wanted) {
      const entries = [];
      for (const [identifierKey, stored] of index) {
        if (wanted !== null && wanted !== identifierKey) continue;
        /** @type {unknown} */
        const resource = JSON.parse(await readFile(join(reportsDir, `${stored.id}.json`), 'utf8'));
        entries.push({ fullUrl: `MeasureReport/${stored.id}`, resource, search: { mode: 'match' } });
      }
      return entries;
    },
    /**
     * @param {string} key
     * @returns {Promise<IdempotencyRecord | undefined>}
     */
    async readIdempotency(key) {
      const text = await readFile(idempotencyFile(key), 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      /** @type {unknown} */
      const record = JSON.parse(text);
      // The receiver's own file, written by writeIdempotency.
      return /** @type {IdempotencyRecord} */ (record);
    },
    /** @param {IdempotencyRecord} record */
    async writeIdempotency(record) {
      await writeDurably(idempotencyFile(record.key), JSON.stringify(record));
    },
  };
}

/**
 * Rebuilds the identifier index from the stored reports (the reports are the truth; index.json is a view).
 * @param {string} reportsDir
 */
async function loadIndex(reportsDir) {
  /** @type {Map<string, { id: string, location: string, lastUpdated: string, seal: string | null }>} */
  const index = new Map();
  for (const name of (await readdir(reportsDir)).sort()) {
    if (name.endsWith('.tmp')) {
      await unlink(join(reportsDir, name)).catch(() => undefined);
      continue;
    }
    if (!name.endsWith('.json')) continue;
    /** @type {unknown} */
    const parsed = JSON.parse(await readFile(join(reportsDir, name), 'utf8'));
    // The receiver's own file, written by `add`.
    const report = /** @type {{ id: string, meta: { versionId?: string, lastUpdated: string } }} */ (parsed);
    index.set(submissionKey(report), {
      id: report.id,
      location: `MeasureReport/${report.id}/_history/${report.meta.versionId ?? '1'}`,
      lastUpdated: report.meta.lastUpdated,
      seal: sealOf(report),
    });
  }
  return index;
}

/**
 * Write-to-temp, fsync, rename, fsync(dir): a crash leaves the old file or the new one, never half of one.
 * @param {string} path
 * @param {string} text
 */
async function writeDurably(path, text) {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  const dir = await open(join(path, '..'), 'r');
  try {
    await dir.sync().catch(() => undefined);
  } finally {
    await dir.close();
  }
}
