/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return --
   this test walks the generated FHIR JSON freely; a wrong shape fails an assertion. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLuhnValid, timeZoneOfFiness } from './finess.js';
import {
  PROFILE_EVENEMENT,
  PROFILE_PROJET_PERSONNALISE,
  PROFILE_SEJOUR,
  SYSTEM_FINESS,
  SYSTEM_FR_CORE_0203,
  SYSTEM_INS_NIR,
  SYSTEM_USAGE_EVENT,
} from './fhir-vocabulary.js';
import { generateDataset } from './generate.js';

type Json = Record<string, any>;

const scratch: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'esms-gen-test-'));
  scratch.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

/** SHA-256 of a file (vitest's deep equality on megabyte Buffers is very slow). */
async function digest(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

async function readAll(dir: string): Promise<Map<string, Json[]>> {
  const byType = new Map<string, Json[]>();
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort()) {
    const type = name.split('.')[0] ?? '';
    const lines = (await readFile(join(dir, name), 'utf8')).split('\n').filter((l) => l !== '');
    byType.set(type, [...(byType.get(type) ?? []), ...lines.map((l) => JSON.parse(l) as Json)]);
  }
  return byType;
}

describe('generateDataset', () => {
  it('writes the same bytes twice for the same seed, and different bytes for another seed', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await generateDataset({ size: 'S', seed: 7, persons: 12, outDir: join(a, 'out') });
    await generateDataset({ size: 'S', seed: 7, persons: 12, outDir: join(b, 'out') });
    await generateDataset({ size: 'S', seed: 8, persons: 12, outDir: join(c, 'out') });
    const names = (await readdir(join(a, 'out'))).sort();
    expect(names).toEqual((await readdir(join(b, 'out'))).sort());
    expect(names).toContain('manifest.json');
    expect(names).toContain('expected-sizes.json');
    for (const name of names) {
      expect(await digest(join(b, 'out', name)), name).toBe(await digest(join(a, 'out', name)));
    }
    expect(await digest(join(c, 'out', 'Patient.000.ndjson'))).not.toBe(
      await digest(join(a, 'out', 'Patient.000.ndjson')),
    );
  });

  it('produces TDDUI-shaped records whose references resolve, with counts matching the manifest', async () => {
    const out = join(await tempDir(), 'out');
    const summary = await generateDataset({
      size: 'S',
      // A seed whose 100 persons show every status of the projet personnalisé (each is a few % of them).
      seed: 11,
      persons: 100,
      outDir: out,
      linesPerFile: 2000,
    });
    const data = await readAll(out);
    const ids = (type: string): Set<string> => new Set((data.get(type) ?? []).map((r) => String(r['id'])));

    // Split files, a manifest that lists them with their counts, and expected sizes that add up.
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
      output: { type: string; url: string; count: number }[];
    };
    expect(manifest.output.some((o) => o.url === 'Encounter.001.ndjson')).toBe(true);
    for (const entry of manifest.output) {
      const lines = (await readFile(join(out, entry.url), 'utf8')).split('\n').filter((l) => l !== '');
      expect(lines.length, entry.url).toBe(entry.count);
      expect(entry.count).toBeLessThanOrEqual(2000);
    }
    for (const [type, records] of data) expect(summary.resources[type], type).toBe(records.length);
    expect(summary.total).toBe([...data.values()].reduce((n, r) => n + r.length, 0));

    // Organisations: FINESS géographiques with valid keys, overseas ones among them, each part of an OG (FINEJ).
    const organisations = data.get('Organization') ?? [];
    const fineg = organisations.flatMap((o) =>
      (o['identifier'] as Json[]).filter(
        (i) => i['system'] === SYSTEM_FINESS && i['type'].coding[0].code === 'FINEG',
      ),
    );
    expect(fineg.length).toBe(5);
    for (const identifier of fineg)
      expect(isLuhnValid(String(identifier['value'])), String(identifier['value'])).toBe(true);
    const zones = new Set(fineg.map((i) => timeZoneOfFiness(String(i['value']))));
    expect(zones).toContain('Europe/Paris');
    expect(zones).toContain('Indian/Reunion');
    const ogIds = ids('Organization');
    for (const o of organisations.filter((x) => x['partOf'] !== undefined))
      expect(ogIds.has(String(o['partOf'].reference).slice(13))).toBe(true);

    // Patients: most with a typed INS-NIR (15 digits, valid key); some duplicates sharing an INS.
    const patients = data.get('Patient') ?? [];
    const ins = patients.flatMap((p) =>
      (p['identifier'] as Json[]).filter(
        (i) => i['system'] === SYSTEM_INS_NIR && i['type'].coding[0].code === 'INS-NIR',
      ),
    );
    expect(ins.length / patients.length).toBeGreaterThan(0.7);
    for (const i of ins) {
      expect(i['type'].coding[0].system).toBe(SYSTEM_FR_CORE_0203);
      const value = String(i['value']);
      expect(value).toMatch(/^\d{15}$/);
      expect(97 - Number(BigInt(value.slice(0, 13)) % 97n)).toBe(Number(value.slice(13)));
    }
    for (const p of patients)
      expect(p['meta'].lastUpdated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);

    // Séjours and events: TDDUI profiles, events part of a séjour, subjects that resolve.
    const patientIds = ids('Patient');
    const encounters = data.get('Encounter') ?? [];
    const sejourIds = new Set([
      ...encounters.filter((e) => e['meta'].profile[0] === PROFILE_SEJOUR).map((e) => String(e['id'])),
      ...ids('EpisodeOfCare'),
    ]);
    const events = encounters.filter((e) => e['meta'].profile[0] === PROFILE_EVENEMENT);
    expect(events.length + sejourIds.size).toBe(encounters.length + ids('EpisodeOfCare').size);
    expect(events.length / summary.persons).toBeGreaterThan(20);
    for (const e of encounters)
      expect(patientIds.has(String(e['subject'].reference).slice(8)), String(e['id'])).toBe(true);
    for (const e of events) {
      const parent = e['partOf']?.reference ?? e['episodeOfCare']?.[0]?.reference;
      expect(sejourIds.has(String(parent).split('/')[1] ?? ''), String(e['id'])).toBe(true);
    }
    const statuses = new Set(events.map((e) => String(e['status'])));
    for (const status of ['planned', 'triaged', 'finished', 'cancelled']) expect(statuses).toContain(status);
    expect((data.get('Appointment') ?? []).length).toBeGreaterThan(0);

    // Projets personnalisés in several statuses; usage events of every kind, attributed to an ESSMS.
    const plans = data.get('CarePlan') ?? [];
    for (const plan of plans.filter((p) => p['status'] !== 'entered-in-error'))
      expect(plan['meta'].profile[0]).toBe(PROFILE_PROJET_PERSONNALISE);
    for (const status of ['draft', 'active', 'on-hold', 'completed', 'revoked'])
      expect(plans.map((p) => p['status'])).toContain(status);
    const audit = data.get('AuditEvent') ?? [];
    const usage = audit.filter((a) => a['type'].system === SYSTEM_USAGE_EVENT);
    expect(new Set(usage.map((u) => String(u['type'].code)))).toEqual(
      new Set(['mssante-message-sent', 'dmp-document-fed', 'e-prescription-imported', 'e-parcours-exchange']),
    );
    for (const u of usage) {
      expect(ogIds.has(String(u['agent'][0].who.reference).slice(13))).toBe(true);
      expect(patientIds.has(String(u['entity'][0].what.reference).slice(8))).toBe(true);
    }
    const historyActions = new Set(
      audit.filter((a) => a['type'].system !== SYSTEM_USAGE_EVENT).map((a) => String(a['action'])),
    );
    for (const action of ['C', 'U', 'R']) expect(historyActions).toContain(action);
  });
});
