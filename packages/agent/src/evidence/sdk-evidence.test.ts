/**
 * Evidence with the SDK's real rules, on the official TDDUI examples plus usage events about them:
 * the projection leaks nothing that identifies a person, and recomputation equals the direct computation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toMeasureReports, type SubjectLists } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBlob } from './blobs.js';
import { canonicalJson } from './canonical-json.js';
import { flattenFigures } from './compare-figures.js';
import { createProjectionWriter } from './projection-writer.js';
import { createPseudonymiser } from './pseudonymiser.js';
import { measuresDigest } from './recompute.js';
import { sdkProjectionApi } from './__fixtures__/sdk-projection.js';
import type { ComputationLike, Fact } from './recompute.js';
import { sealRunAndSubmission } from './seal.js';
import { openEvidenceStore } from './store.js';
import type { FileEvidenceStore } from './store.js';
import { pseudonymiseSubjectLists } from './subject-lists.js';
import { verifyEvidence } from './verify.js';
import { buildSubmission } from '../submit/build-submission.js';
import { readBlobBytes, readProjectionFacts, rewriteAndResign } from './__fixtures__/tamper.js';

/** The official ANS TDDUI examples (copied from the implementation guide, unchanged). */
const EXAMPLES_DIR = fileURLToPath(new URL('./__fixtures__/tddui-examples/', import.meta.url));
const MEASURE_DATE = '2023-05-01';
const USAGE = 'https://esms-numerique.github.io/fhir/CodeSystem/usage-event';

function loadExamples(): unknown[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8')) as unknown);
}

/** Usage events about the examples' persons, as a DUI would log them (data-model.md). */
function usageEvents(): unknown[] {
  const event = (id: string, code: string, recorded: string, patient: string): unknown => ({
    resourceType: 'AuditEvent',
    id,
    type: { system: USAGE, code },
    recorded,
    outcome: '0',
    agent: [{ who: { reference: 'Organization/tddui-organization-example' }, requestor: true }],
    entity: [{ what: { reference: `Patient/${patient}` } }],
    source: { observer: { display: 'DUI' } },
  });
  return [
    event('ae-dmp-1', 'dmp-document-fed', '2023-04-20T10:00:00+02:00', 'tddui-patient-ins-example'),
    event('ae-mss-1', 'mssante-message-sent', '2023-04-21T10:00:00+02:00', 'tddui-patient-ins-example'),
    event('ae-mss-2', 'mssante-message-sent', '2023-03-02T10:00:00+01:00', 'tddui-patient-ins-example'),
    {
      resourceType: 'AuditEvent',
      id: 'ae-update-1',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'U',
      recorded: '2023-04-15T09:00:00+02:00',
      outcome: '0',
      agent: [{ who: { reference: 'Practitioner/tddui-practitioner-example' }, requestor: true }],
      entity: [{ what: { reference: 'Patient/tddui-patient-ins-example' } }],
      source: { observer: { display: 'DUI' } },
    },
  ];
}

/** Every string of the input that identifies or describes a person: names, identifiers, dates of birth, free text, addresses. */
function sensitiveValues(records: unknown[]): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, key: string, resourceType: string): void => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, key, resourceType));
    else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, k, resourceType);
    } else if (typeof value === 'string') {
      const personal = resourceType === 'Patient' || resourceType === 'Practitioner';
      if (
        (personal &&
          ['family', 'given', 'birthDate', 'line', 'city', 'postalCode', 'valueString', 'prefix'].includes(
            key,
          )) ||
        ['valueString', 'title', 'description', 'div', 'text', 'comment'].includes(key) ||
        (['value'].includes(key) && personal)
      ) {
        if (value.length >= 4) found.add(value);
      }
    }
  };
  for (const record of records) {
    const resourceType = (record as { resourceType?: string }).resourceType ?? '';
    walk(record, '', resourceType);
    // Record ids are pseudonymised too.
    const id = (record as { id?: string }).id;
    if (id !== undefined && resourceType !== 'Organization') found.add(id);
  }
  return [...found];
}

let dir: string;
let store: FileEvidenceStore;
let direct: ComputationLike;
let records: unknown[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-sdk-evidence-'));
  store = await openEvidenceStore(dir, { create: true, now: () => new Date('2023-05-01T03:00:00Z') });
  records = [...loadExamples(), ...usageEvents()];
  const pseudonymise = createPseudonymiser(store.keys.pseudonymSecret);
  const writer = createProjectionWriter(store);
  const computeOptions = { measureDate: MEASURE_DATE };
  const engine = sdkProjectionApi.createEngine({
    ...computeOptions,
    onFact: (fact: Fact) => writer.write(sdkProjectionApi.pseudonymiseFact(fact, pseudonymise)),
  });
  for (const record of records) engine.add(record);
  direct = engine.finish();
  const projection = await writer.finish();
  const reports = toMeasureReports(direct.results as never);
  await sealRunAndSubmission(
    store,
    {
      runId: 'run-tddui',
      submissionId: 'sub-tddui',
      softwareVersion: '0.1.0',
      configDigest: `sha256:${'0'.repeat(64)}`,
      measuresDigest: measuresDigest(),
      computeOptions,
      measureDate: MEASURE_DATE,
      periods: Object.fromEntries(direct.results.establishments.map((e) => [e.finess, e.period])),
      scope: null,
      projection,
      results: direct.results,
      subjects: pseudonymiseSubjectLists(direct.subjects as SubjectLists, pseudonymise),
    },
    (seal) => ({ body: buildSubmission(direct.results, reports, seal).body }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evidence of a computation by the SDK', () => {
  it('computes something worth checking from the examples', () => {
    const establishment = direct.results.establishments.find((e) => e.finess === '480787529');
    expect(establishment).toBeDefined();
    expect(establishment?.indicators['taux-dossiers-actifs'].denominator).toBeGreaterThan(0);
    expect(establishment?.indicators['taux-mssante'].numerator).toBe(2);
  });

  it('the projection holds no name, INS, birth date, address, free text or raw record id', async () => {
    const sensitive = sensitiveValues(records);
    // The scan must be scanning something: the examples' known personal values are in the list.
    expect(sensitive).toEqual(
      expect.arrayContaining(['DUPONT', 'Jeanne', '1947-04-03', '147720425367411', '12 rue des Lilas']),
    );
    const entry = JSON.parse(
      (await readFile(join(dir, 'journal.ndjson'), 'utf8')).split('\n')[0] ?? '{}',
    ) as {
      payload: {
        projection: { digest: `sha256:${string}`; count: number };
        subjects: { digest: `sha256:${string}` };
      };
    };
    expect(entry.payload.projection.count).toBeGreaterThan(10);
    for (const digest of [entry.payload.projection.digest, entry.payload.subjects.digest]) {
      const text = (await readBlobBytes(dir, digest)).toString('utf8');
      const leaks = sensitive.filter((value) => text.includes(value));
      expect(leaks).toEqual([]);
    }
  });

  it('verifies with the SDK rules: recomputation from the projection equals the direct computation', async () => {
    const report = await verifyEvidence(dir, { publicKeyPem: store.keys.publicKeyPem });
    expect(report.findings).toEqual([]);
    const [runEntry] = await store.entries();
    expect(report.runs).toEqual([
      {
        seq: 1,
        runId: 'run-tddui',
        measureDate: MEASURE_DATE,
        recomputed: true,
        ok: true,
        seal: { hash: runEntry?.hash, previous: '0'.repeat(64) },
      },
    ]);
  });

  it('catches a figure forged in the sealed results and re-signed', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'esms-sdk-forged-'));
    try {
      const { cp } = await import('node:fs/promises');
      await cp(dir, copy, { recursive: true });
      const forgedResults = structuredClone(direct.results);
      const target = forgedResults.establishments.find((e) => e.finess === '480787529');
      if (target === undefined) throw new Error('fixture changed');
      target.indicators['taux-mssante'].numerator = 3;
      const forged = await putBlob(copy, canonicalJson(forgedResults));
      await rewriteAndResign(copy, store.keys.privateKey, (entries) => {
        const entry = entries[0];
        if (entry !== undefined) entry.payload = { ...entry.payload, results: forged };
      });
      const report = await verifyEvidence(copy);
      // The forger re-signed the chain, but the submission sealed after the run carries the run's old hash.
      expect(report.findings.map((f) => f.message)).toEqual([
        'entry seq 1 (run run-tddui): taux-mssante numerator for 480787529 sealed 3, recomputed 2',
        'entry seq 2: the sealed submission names no run-sealed entry before it',
        'entry seq 1: run run-tddui was sealed but its submission never was (no submission-sealed entry names it), ' +
          'so nothing was sent for it: the run stopped between its two entries, or the journal was cut after it ' +
          '(verify with --expect-head to tell)',
      ]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('the recomputed figures equal the direct ones figure by figure', async () => {
    const { sdkRules } = await import('./recompute.js');
    const facts: Fact[] = [];
    const entry = JSON.parse(
      (await readFile(join(dir, 'journal.ndjson'), 'utf8')).split('\n')[0] ?? '{}',
    ) as {
      payload: { projection: { digest: `sha256:${string}` } };
    };
    facts.push(...((await readProjectionFacts(dir, entry.payload.projection)) as Fact[]));
    const recomputed = await sdkRules().recomputeFromProjection(facts, { measureDate: MEASURE_DATE });
    expect(Object.fromEntries(flattenFigures(recomputed.results))).toEqual(
      Object.fromEntries(flattenFigures(direct.results)),
    );
    expect(recomputed.results.dataQuality.errors.length).toBe(direct.results.dataQuality.errors.length);
    expect(recomputed.results.dataQuality.warnings.length).toBe(direct.results.dataQuality.warnings.length);
  });
});
