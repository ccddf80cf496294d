import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeIndicators, INDICATORS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithBaseline } from './compare-results.js';
import {
  BASELINE_INDICATOR_IDS,
  computeBaseline,
  localMidnightMs,
  type BaselineResult,
} from './duckdb-baseline.js';
import { makeFiness } from './finess.js';
import {
  PROFILE_EVENEMENT,
  PROFILE_PROJET_PERSONNALISE,
  PROFILE_SEJOUR,
  SYSTEM_FINESS,
  SYSTEM_INS_NIR,
  SYSTEM_USAGE_EVENT,
} from './fhir-vocabulary.js';
import { generateDataset } from './generate.js';
import { readLinesWithReadline } from './ndjson-floor-reader.js';

const scratch: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'esms-duck-test-'));
  scratch.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

type Resource = Record<string, unknown>;

const REUNION = '970400024';
const PARIS = makeFiness('75', 123);
const EMPTY = makeFiness('13', 456);
/** Outside P for both establishments: only the records meant to be updates are updated in P. */
const OLD = { lastUpdated: '2023-05-01T10:00:00+02:00' };

const fineg = (finess: string): Resource => ({
  system: SYSTEM_FINESS,
  type: { coding: [{ code: 'FINEG' }] },
  value: finess,
});
const ins = (value: string): Resource => ({
  system: SYSTEM_INS_NIR,
  type: { coding: [{ code: 'INS-NIR' }] },
  value,
});
const nh = (value: string): Resource => ({
  system: SYSTEM_INS_NIR,
  type: { coding: [{ code: 'NH' }] },
  value,
});
const patient = (id: string, identifier: Resource[], extra: Resource = {}): Resource => ({
  resourceType: 'Patient',
  id,
  meta: OLD,
  identifier,
  ...extra,
});
const sejour = (id: string, who: string, org: string, status: string, period: Resource): Resource => ({
  resourceType: 'Encounter',
  id,
  meta: { ...OLD, profile: [PROFILE_SEJOUR] },
  status,
  subject: { reference: `Patient/${who}` },
  period,
  serviceProvider: { reference: `Organization/${org}` },
});
const event = (id: string, who: string, start: string, status: string, meta: Resource = OLD): Resource => ({
  resourceType: 'Encounter',
  id,
  meta: { ...meta, profile: [PROFILE_EVENEMENT] },
  status,
  subject: { reference: `Patient/${who}` },
  period: { start },
});
const projet = (id: string, who: string, status: string, fields: Resource): Resource => ({
  resourceType: 'CarePlan',
  id,
  meta: { ...OLD, profile: [PROFILE_PROJET_PERSONNALISE] },
  status,
  intent: 'plan',
  subject: { reference: `Patient/${who}` },
  ...fields,
});
const usage = (
  id: string,
  code: string,
  org: string,
  who: string,
  recorded: string,
  outcome = '0',
): Resource => ({
  resourceType: 'AuditEvent',
  id,
  meta: OLD,
  type: { system: SYSTEM_USAGE_EVENT, code },
  action: 'E',
  recorded,
  outcome,
  agent: [{ who: { reference: `Organization/${org}` } }],
  source: { observer: { display: 'DUI' } },
  entity: [{ what: { reference: `Patient/${who}` } }],
});

/**
 * D = 2024-04-01, P = 2024-01-01 … 2024-03-31 local. Each person shows one rule of indicators.md; the
 * expected figures below are worked out by hand from those rules.
 */
const FIXTURE: Resource[] = [
  { resourceType: 'Organization', id: 'run', identifier: [fineg(REUNION)] },
  { resourceType: 'Organization', id: 'par', identifier: [fineg(PARIS)] },
  { resourceType: 'Organization', id: 'new', identifier: [fineg(EMPTY)] },
  // p1 and p2 share an INS without a link: one person, accompanied by both ESSMS; updated (Patient record),
  // with an agenda event and an active projet personnalisé, all counted in both ESSMS.
  patient('p1', [ins('147720425367411')], { meta: { lastUpdated: '2024-02-01T10:00:00+04:00' } }),
  patient('p2', [ins('147720425367411')]),
  sejour('s1', 'p1', 'run', 'in-progress', { start: '2023-06-01' }),
  sejour('s2', 'p2', 'par', 'in-progress', { start: '2024-01-15' }),
  event('e1', 'p1', '2024-02-10T09:00:00+04:00', 'finished'),
  projet('pp1', 'p1', 'active', {
    period: { start: '2023-07-01', end: '2024-06-30' },
    created: '2023-07-01',
  }),
  // p3 enters at 23:30 on the last local day of P in Réunion (19:30 UTC): accompanied; updated by an audit
  // entry; its only Encounter event is at 00:30 local on D (still 31 March in Paris): outside P; a cancelled
  // appointment in P counts; its draft projet was created on D: too late.
  patient('p3', [nh('180017512345678')]),
  sejour('s3', 'p3', 'run', 'in-progress', { start: '2024-03-31T23:30:00+04:00' }),
  {
    resourceType: 'AuditEvent',
    id: 'a3',
    meta: OLD,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    action: 'U',
    recorded: '2024-03-31T23:45:00+04:00',
    outcome: '0',
    agent: [{ who: { display: 'u1' } }],
    source: { observer: { display: 'DUI' } },
    entity: [{ what: { reference: 'Patient/p3' } }],
  },
  event('e3', 'p3', '2024-04-01T00:30:00+04:00', 'finished'),
  {
    resourceType: 'Appointment',
    id: 'ap3',
    meta: OLD,
    status: 'cancelled',
    start: '2024-03-15T10:00:00+04:00',
    participant: [{ actor: { reference: 'Patient/p3' } }],
  },
  projet('pp3', 'p3', 'draft', { created: '2024-04-01' }),
  // p4 shares p3's billing number (typed NH): a different person; left on 31 December: not accompanied.
  patient('p4', [nh('180017512345678')]),
  sejour('s4', 'p4', 'run', 'finished', { start: '2023-01-01', end: '2023-12-31' }),
  event('e4', 'p4', '2024-02-02T10:00:00+04:00', 'finished', { lastUpdated: '2024-02-02T12:00:00+04:00' }),
  usage('u4', 'dmp-document-fed', 'run', 'p4', '2024-02-02T12:00:00+04:00'),
  // p5 was replaced by p6: one person. Updated only through an entered-in-error event (its record changed in
  // P), which is not an agenda event; the active projet ended before P, the other is on hold.
  patient('p5', [ins('269054958815780')], {
    link: [{ other: { reference: 'Patient/p6' }, type: 'replaced-by' }],
  }),
  patient('p6', []),
  sejour('s5', 'p5', 'run', 'in-progress', { start: '2022-01-01' }),
  event('e6', 'p6', '2024-03-01T10:00:00+04:00', 'entered-in-error', {
    lastUpdated: '2024-03-02T10:00:00+04:00',
  }),
  projet('pp5', 'p5', 'active', { period: { start: '2023-01-01', end: '2023-12-31' } }),
  projet('pp6', 'p6', 'on-hold', { period: { start: '2024-01-01' } }),
  usage('u6', 'dmp-document-fed', 'run', 'p6', '2024-03-10T09:00:00+04:00'),
  // p7: planned and cancelled admissions; p8: on a waiting list. Neither is accompanied.
  patient('p7', []),
  sejour('s7a', 'p7', 'run', 'planned', { start: '2024-02-01' }),
  sejour('s7b', 'p7', 'run', 'cancelled', { start: '2024-02-01' }),
  patient('p8', []),
  {
    resourceType: 'EpisodeOfCare',
    id: 'eoc8',
    meta: OLD,
    status: 'waitlist',
    patient: { reference: 'Patient/p8' },
    managingOrganization: { reference: 'Organization/run' },
    period: { start: '2023-10-01' },
  },
  // MSSanté: two successes in P at Réunion, one failure, one before P; one success in P at Paris.
  usage('m1', 'mssante-message-sent', 'run', 'p1', '2024-01-01T00:10:00+04:00'),
  usage('m2', 'mssante-message-sent', 'run', 'p3', '2024-03-20T10:00:00+04:00'),
  usage('m3', 'mssante-message-sent', 'run', 'p3', '2024-03-21T10:00:00+04:00', '8'),
  usage('m4', 'mssante-message-sent', 'run', 'p3', '2023-12-31T23:50:00+04:00'),
  usage('m5', 'mssante-message-sent', 'par', 'p2', '2024-03-31T23:30:00+02:00'),
];

async function writeFixture(dir: string, records: Resource[]): Promise<void> {
  const byType = new Map<string, string[]>();
  for (const r of records)
    byType.set(String(r['resourceType']), [
      ...(byType.get(String(r['resourceType'])) ?? []),
      JSON.stringify(r),
    ]);
  for (const [type, lines] of byType)
    await writeFile(join(dir, `${type}.000.ndjson`), `${lines.join('\n')}\n`);
}

async function* readDir(dir: string): AsyncGenerator<unknown> {
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort()) {
    for await (const item of readLinesWithReadline(join(dir, name)))
      if (item.kind === 'record') yield item.value;
  }
}

function figures(result: BaselineResult, finess: string): Record<string, string> {
  const e = result.establishments.find((x) => x.finess === finess);
  return Object.fromEntries(
    Object.entries(e?.indicators ?? {}).map(([id, c]) => [id, `${c.numerator}/${c.denominator}`]),
  );
}

describe('computeBaseline (DuckDB)', () => {
  it('applies the rules of indicators.md to hand-checked cases', async () => {
    const dir = await tempDir();
    await writeFixture(dir, FIXTURE);
    const result = await computeBaseline(dir, '2024-04-01');
    expect(result.establishments.map((e) => e.finess)).toEqual([EMPTY, PARIS, REUNION].sort());
    expect(figures(result, REUNION)).toEqual({
      'taux-dossiers-actifs': '3/3',
      'taux-projet-personnalise': '1/3',
      'taux-evenement-agenda': '2/3',
      'taux-mssante': '2/3',
      'taux-dmp': '1/3',
    });
    expect(figures(result, PARIS)).toEqual({
      'taux-dossiers-actifs': '1/1',
      'taux-projet-personnalise': '1/1',
      'taux-evenement-agenda': '1/1',
      'taux-mssante': '1/1',
      'taux-dmp': '0/1',
    });
    expect(Object.values(figures(result, EMPTY))).toEqual(['0/0', '0/0', '0/0', '0/0', '0/0']);
    expect(result.establishments.find((e) => e.finess === REUNION)?.timezone).toBe('Indian/Reunion');
    expect(result.persons).toBe(6);
  });

  it('computes local midnight through DST and in the overseas zones', () => {
    expect(new Date(localMidnightMs('2024-03-31', 'Europe/Paris')).toISOString()).toBe(
      '2024-03-30T23:00:00.000Z',
    );
    expect(new Date(localMidnightMs('2024-04-01', 'Europe/Paris')).toISOString()).toBe(
      '2024-03-31T22:00:00.000Z',
    );
    expect(new Date(localMidnightMs('2024-04-01', 'Indian/Reunion')).toISOString()).toBe(
      '2024-03-31T20:00:00.000Z',
    );
    expect(new Date(localMidnightMs('2024-04-01', 'America/Cayenne')).toISOString()).toBe(
      '2024-04-01T03:00:00.000Z',
    );
  });
});

describe('DuckDB baseline against the SDK', () => {
  it('computes exactly the rate indicators of the SDK registry, in its order', () => {
    expect([...BASELINE_INDICATOR_IDS]).toEqual([...RATE_INDICATOR_IDS]);
    for (const id of BASELINE_INDICATOR_IDS) expect(INDICATORS[id].kind).toBe('rate');
  });

  it('agrees with computeIndicators on the hand-checked cases', async () => {
    const dir = await tempDir();
    await writeFixture(dir, FIXTURE);
    const baseline = await computeBaseline(dir, '2024-04-01');
    const { results } = await computeIndicators(readDir(dir), { measureDate: '2024-04-01' });
    expect(compareWithBaseline(results, baseline)).toEqual([]);
  });

  it('agrees with computeIndicators on every establishment of a small generated dataset', async () => {
    const dir = join(await tempDir(), 'data');
    const summary = await generateDataset({ size: 'M', seed: 11, persons: 90, outDir: dir });
    expect(summary.total).toBeLessThan(20_000);
    const baseline = await computeBaseline(dir, '2024-04-01');
    const { results } = await computeIndicators(readDir(dir), { measureDate: '2024-04-01' });
    expect(compareWithBaseline(results, baseline)).toEqual([]);
    // The comparison is not vacuous: establishments have persons and non-zero numerators.
    expect(baseline.establishments.length).toBe(16);
    expect(baseline.establishments.some((e) => e.indicators['taux-evenement-agenda'].numerator > 0)).toBe(
      true,
    );
    expect(
      baseline.establishments.reduce((n, e) => n + e.indicators['taux-mssante'].numerator, 0),
    ).toBeGreaterThan(0);
  });
});
