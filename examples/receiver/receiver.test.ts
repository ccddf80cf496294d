import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createReceiver,
  EVIDENCE_SEAL_URL,
  EVIDENCE_SEAL_PREVIOUS_URL,
  SUBMISSION_IDENTIFIER_SYSTEM,
  type Receiver,
} from './receiver.mjs';

let dataDir: string;
let receiver: Receiver;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'esms-receiver-'));
  receiver = await createReceiver({ dataDir });
});
afterEach(async () => {
  await receiver.close();
  await rm(dataDir, { recursive: true, force: true });
});

function report(finess: string, indicator: string, numerator: number, denominator: number): MeasureReport {
  const population = (code: string, count: number) => ({
    code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-population', code }] },
    count,
  });
  return {
    resourceType: 'MeasureReport',
    identifier: [
      {
        system: SUBMISSION_IDENTIFIER_SYSTEM,
        value: `${finess}:${indicator}:2024-01-01:2024-03-31:${numerator}`,
      },
    ],
    status: 'complete',
    type: 'summary',
    measure: `https://esms-numerique.github.io/fhir/Measure/${indicator}`,
    reporter: { identifier: { system: 'https://finess.esante.gouv.fr', value: finess } },
    period: { start: '2024-01-01T00:00:00+04:00', end: '2024-03-31T23:59:59.999+04:00' },
    group: [
      {
        population: [
          population('initial-population', denominator),
          population('denominator', denominator),
          population('numerator', numerator),
        ],
        measureScore: { value: numerator / denominator },
      },
    ],
  };
}

function bundle(...reports: MeasureReport[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: reports.map((resource) => ({
      resource,
      request: {
        method: 'POST',
        url: 'MeasureReport',
        ifNoneExist: `identifier=${SUBMISSION_IDENTIFIER_SYSTEM}|${resource.identifier?.[0]?.value ?? ''}`,
      },
    })),
  };
}

const valid = (): Bundle =>
  bundle(report('970400024', 'taux-dossiers-actifs', 81, 90), report('970400024', 'taux-mssante', 130, 90));

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(receiver.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function stored(): Promise<Bundle> {
  return (await (await fetch(`${receiver.url}/MeasureReport`)).json()) as Bundle;
}

/** A POST over a raw socket, to observe a connection the server destroys. */
function rawPost(body: string): Promise<'answered' | 'dropped'> {
  return new Promise((resolve) => {
    const req = request(
      receiver.url,
      { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve('answered'));
      },
    );
    req.on('error', () => resolve('dropped'));
    req.end(body);
  });
}

describe('reference receiver', () => {
  it('stores a valid transaction and answers a transaction-response with 201 + location per entry', async () => {
    const answer = await post(valid());
    expect(answer.status).toBe(200);
    const response = answer.json as Bundle;
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
    for (const entry of response.entry ?? [])
      expect(entry.response?.location).toMatch(/^MeasureReport\/[0-9a-f-]{36}\/_history\/1$/);
    const list = await stored();
    expect(list.total).toBe(2);
    expect(await readdir(join(dataDir, 'MeasureReport'))).toHaveLength(2);
    const index = JSON.parse(await readFile(join(dataDir, 'index.json'), 'utf8')) as { entries: unknown[] };
    expect(index.entries).toHaveLength(2);
    expect(receiver.stats()).toMatchObject({
      requests: 1,
      accepted: 1,
      storedReports: 2,
      duplicatesAvoided: 0,
    });
  });

  it('stores nothing twice on a resend (ifNoneExist), answering 200 OK with the existing location', async () => {
    const first = (await post(valid())).json as Bundle;
    const second = await post(valid());
    expect(second.status).toBe(200);
    const entries = (second.json as Bundle).entry ?? [];
    expect(entries.map((e) => e.response?.status)).toEqual(['200 OK', '200 OK']);
    expect(entries.map((e) => e.response?.location)).toEqual(first.entry?.map((e) => e.response?.location));
    // A bundle mixing a known and a new report stores only the new one.
    const mixed = await post(
      bundle(report('970400024', 'taux-dossiers-actifs', 81, 90), report('970400024', 'taux-dmp', 40, 90)),
    );
    expect(((mixed.json as Bundle).entry ?? []).map((e) => e.response?.status)).toEqual([
      '200 OK',
      '201 Created',
    ]);
    expect((await stored()).total).toBe(3);
    expect(receiver.stats()).toMatchObject({ storedReports: 3, duplicatesAvoided: 3 });
  });

  it('replays the stored answer for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const first = await post(valid(), { 'Idempotency-Key': 'k-1' });
    const again = await post(valid(), { 'Idempotency-Key': 'k-1' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    const other = await post(bundle(report('970400024', 'taux-dmp', 40, 90)), { 'Idempotency-Key': 'k-1' });
    expect(other.status).toBe(422);
    expect((await stored()).total).toBe(2);
    expect(receiver.stats()).toMatchObject({ idempotentReplays: 1, storedReports: 2 });
  });

  it('answers 400 naming the entry and the problem, and stores nothing from that bundle', async () => {
    const withSubject = { ...report('970400024', 'taux-dmp', 40, 90), subject: { reference: 'Patient/1' } };
    const tooMany = report('970400024', 'taux-projet-personnalise', 91, 90);
    const badFiness = report('97040002', 'taux-evenement-agenda', 1, 2);
    const answer = await post(
      bundle(report('970400024', 'taux-dossiers-actifs', 81, 90), withSubject, tooMany, badFiness),
    );
    expect(answer.status).toBe(400);
    const outcome = answer.json as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    const diagnostics = outcome.issue.map((i) => i.diagnostics);
    expect(diagnostics).toContain(
      'Bundle.entry[1]: MeasureReport.subject is not allowed (no person-level data)',
    );
    expect(
      diagnostics.some(
        (d) => d?.startsWith('Bundle.entry[2]:') && d.includes('numerator 91 exceeds denominator 90'),
      ),
    ).toBe(true);
    expect(diagnostics.some((d) => d?.startsWith('Bundle.entry[3]:') && d.includes('FINESS'))).toBe(true);
    expect(diagnostics.some((d) => d?.startsWith('Bundle.entry[0]'))).toBe(false);
    expect((await stored()).total).toBe(0);
  });

  it('accepts an MSSanté numerator above its denominator (messages, not persons)', async () => {
    expect((await post(bundle(report('970400024', 'taux-mssante', 200, 90)))).status).toBe(200);
  });

  it('accepts a measure canonical with its version (…|2024.1.1), not an unknown measure', async () => {
    const versioned = report('970400024', 'taux-dmp', 40, 90);
    versioned.measure = 'https://esms-numerique.github.io/fhir/Measure/taux-dmp|2024.1.1';
    expect((await post(bundle(versioned))).status).toBe(200);
    const unknown = report('970400024', 'taux-dmp', 41, 90);
    unknown.measure = 'https://esms-numerique.github.io/fhir/Measure/taux-inconnu|2024.1.1';
    expect((await post(bundle(unknown))).status).toBe(400);
  });

  it('refuses what is not a transaction of summary MeasureReports with a submission identifier', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ ...valid(), type: 'batch' })).status).toBe(400);
    const noIdentifier = report('970400024', 'taux-dmp', 40, 90);
    delete noIdentifier.identifier;
    const answer = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: noIdentifier, request: { method: 'POST', url: 'MeasureReport' } }],
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toContain('Bundle.entry[0]: MeasureReport.identifier');
    const wrongType = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(wrongType.status).toBe(415);
  });

  it('applies queued faults: 503 with Retry-After, a delay, a dropped connection', async () => {
    const set = await fetch(`${receiver.url.replace(/\/fhir$/, '')}/_faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ status: 503, retryAfter: 1 }, { drop: true }, { delayMs: 50 }]),
    });
    expect(set.status).toBe(200);
    const unavailable = await post(valid());
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1');
    expect(await rawPost(JSON.stringify(valid()))).toBe('dropped');
    expect((await stored()).total).toBe(0);
    expect((await post(valid())).status).toBe(200); // delayed, then processed
    expect(receiver.stats()).toMatchObject({
      requests: 3,
      faultsApplied: 3,
      pendingFaults: 0,
      storedReports: 2,
    });
  });

  it('stores then drops the connection on dropAfterStore; the resend creates nothing new', async () => {
    receiver.addFaults([{ dropAfterStore: true }]);
    expect(await rawPost(JSON.stringify(valid()))).toBe('dropped');
    expect((await stored()).total).toBe(2);
    const resend = await post(valid());
    expect(((resend.json as Bundle).entry ?? []).map((e) => e.response?.status)).toEqual([
      '200 OK',
      '200 OK',
    ]);
    expect((await stored()).total).toBe(2);
  });

  it('rejects unknown fault properties', async () => {
    const answer = await fetch(`${receiver.url}/_faults`, { method: 'POST', body: '[{"explode": true}]' });
    expect(answer.status).toBe(400);
  });

  it('keeps what it stored across a restart', async () => {
    await post(valid());
    await receiver.close();
    receiver = await createReceiver({ dataDir });
    expect((await stored()).total).toBe(2);
    const resend = await post(valid());
    expect(((resend.json as Bundle).entry ?? []).map((e) => e.response?.status)).toEqual([
      '200 OK',
      '200 OK',
    ]);
  });

  it('stores the evidence seal with each report, returns it in the receipt, keeps the first one; refuses a malformed seal', async () => {
    const sealA = 'a'.repeat(64);
    const sealB = 'b'.repeat(64);
    const sealed = (seal: string, ...reports: MeasureReport[]): Bundle => ({
      ...bundle(
        ...reports.map((r) => ({ ...r, extension: [{ url: EVIDENCE_SEAL_URL, valueString: seal }] })),
      ),
      meta: { extension: [{ url: EVIDENCE_SEAL_URL, valueString: seal }] },
    });
    const first = (await post(sealed(sealA, report('970400024', 'taux-dossiers-actifs', 81, 90))))
      .json as Bundle;
    expect(first.meta?.extension).toEqual([{ url: EVIDENCE_SEAL_URL, valueString: sealA }]);
    expect(first.entry?.[0]?.response?.extension).toEqual([{ url: EVIDENCE_SEAL_URL, valueString: sealA }]);
    expect((await stored()).entry?.[0]?.resource).toMatchObject({
      extension: [{ url: EVIDENCE_SEAL_URL, valueString: sealA }],
    });
    // The same figures sealed again by a later run: nothing new, the first seal is kept and returned.
    const again = (
      await post(
        sealed(
          sealB,
          report('970400024', 'taux-dossiers-actifs', 81, 90),
          report('970400024', 'taux-dmp', 4, 90),
        ),
      )
    ).json as Bundle;
    expect(again.meta?.extension?.[0]?.valueString).toBe(sealB);
    expect(again.entry?.map((e) => [e.response?.status, e.response?.extension?.[0]?.valueString])).toEqual([
      ['200 OK', sealA],
      ['201 Created', sealB],
    ]);
    expect((await stored()).total).toBe(2);
    // Kept across a restart (the index is rebuilt from the stored reports).
    await receiver.close();
    receiver = await createReceiver({ dataDir });
    const replay = (await post(sealed(sealB, report('970400024', 'taux-dossiers-actifs', 81, 90))))
      .json as Bundle;
    expect(replay.entry?.[0]?.response?.extension?.[0]?.valueString).toBe(sealA);
    const bad = await post(sealed('not-a-hash', report('970400024', 'taux-mssante', 1, 90)));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('evidence-seal');
  });

  it('the same figures under another seal and the same Idempotency-Key are a duplicate, not a 422 (audit G4)', async () => {
    const sealed = (seal: string, ...reports: MeasureReport[]): Bundle => ({
      ...bundle(
        ...reports.map((r) => ({
          ...r,
          extension: [
            { url: EVIDENCE_SEAL_URL, valueString: seal },
            { url: EVIDENCE_SEAL_PREVIOUS_URL, valueString: '0'.repeat(64) },
          ],
        })),
      ),
      meta: { extension: [{ url: EVIDENCE_SEAL_URL, valueString: seal }] },
    });
    let generated = 0;
    // Each run stamps its reports with the time they were generated: not part of the figures either.
    const figures = (): MeasureReport[] =>
      [report('970400024', 'taux-dossiers-actifs', 81, 90), report('970400024', 'taux-dmp', 4, 90)].map(
        (r) => ({ ...r, date: `2024-04-0${++generated}T05:00:00Z` }),
      );
    const key = { 'Idempotency-Key': 'same-figures' };
    const firstBody = sealed('a'.repeat(64), ...figures());
    const first = await post(firstBody, key);
    expect(first.status).toBe(200);
    // Another installation sealed the same figures (another seal) and sends them under the same key.
    const again = await post(sealed('c'.repeat(64), ...figures()), key);
    expect(again.status).toBe(200);
    const response = again.json as Bundle;
    expect(response.meta?.extension?.[0]?.valueString).toBe('c'.repeat(64));
    expect(response.entry?.map((e) => [e.response?.status, e.response?.extension?.[0]?.valueString])).toEqual(
      [
        ['200 OK', 'a'.repeat(64)],
        ['200 OK', 'a'.repeat(64)],
      ],
    );
    expect(response.entry?.map((e) => e.response?.location)).toEqual(
      (first.json as Bundle).entry?.map((e) => e.response?.location),
    );
    // The first body is still replayed as it was answered; other figures under the key are still refused.
    const replay = await post(firstBody, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).toEqual(first.json);
    const other = await post(sealed('c'.repeat(64), report('970400024', 'taux-dmp', 5, 90)), key);
    expect(other.status).toBe(422);
    expect((await stored()).total).toBe(2);
  });

  it('requires the bearer token when configured', async () => {
    await receiver.close();
    receiver = await createReceiver({ dataDir, bearerToken: 'secret-token' });
    expect((await post(valid())).status).toBe(401);
    expect((await post(valid(), { Authorization: 'Bearer secret-token' })).status).toBe(200);
  });
});
