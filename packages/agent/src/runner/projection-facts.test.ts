import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createEngine, pseudonymiseFact, type Fact } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { createReferenceColumnarEncoder } from '../evidence/__fixtures__/columnar-encoder-reference.js';
import { createPseudonymiser } from '../evidence/pseudonymiser.js';
import type { Fact as EvidenceFact } from '../evidence/recompute.js';
import { sealedInputNamer, withSealedInput } from '../evidence/sealed-input-names.js';
import { SAMPLE_DATA_DIR, sampleRecords } from '../test-support/sample-records.js';
import { createFactCollector } from './projection-facts.js';

const SECRET = Buffer.from('a pseudonym secret of the tests, 32+ bytes long');
const ROOT = '/srv/exports/dui';

/** The segment text a reader writes for `facts` (the fused path: no pseudonymised copy is built). */
function fusedSegment(facts: readonly Fact[], roots: readonly string[]): string {
  const collector = createFactCollector(SECRET, roots);
  collector.beginSegment();
  for (const fact of facts) collector.onFact(fact);
  const segment = collector.endSegment();
  const text = segment.members.map((m) => gunzipSync(m).toString('utf8')).join('');
  expect(Buffer.byteLength(text)).toBe(segment.bytes);
  expect(segment.count).toBe(facts.filter((f) => f.k !== 'time-form').length);
  return text;
}

/** The same by the definition: `pseudonymiseFact`, inputs renamed, then the encoder as it was before. */
function referenceSegment(facts: readonly Fact[], roots: readonly string[]): string {
  const pseudonymise = createPseudonymiser(SECRET);
  const name = sealedInputNamer(roots);
  const lines: string[] = [];
  const encoder = createReferenceColumnarEncoder((line) => lines.push(line), { segment: true });
  for (const fact of facts) {
    if (fact.k === 'time-form') continue;
    encoder.add(withSealedInput(pseudonymiseFact(fact, pseudonymise), name) as unknown as EvidenceFact);
  }
  encoder.end();
  return lines.join('');
}

/** Every fact the SDK extracts from the sample data, read `times` times over (more than one block). */
function sampleFacts(times: number): Fact[] {
  const facts: Fact[] = [];
  const engine = createEngine({ measureDate: '2024-04-01', onFact: (fact) => facts.push(fact) });
  const records = sampleRecords();
  for (let round = 0; round < times; round += 1) {
    for (const [line, record] of records.entries()) {
      engine.add(record, { input: join(SAMPLE_DATA_DIR, 'Encounter.ndjson'), line: line + 1 });
    }
    engine.reportUnreadable({ input: join(SAMPLE_DATA_DIR, 'bad.ndjson'), line: round + 1 }, 'bad JSON');
  }
  engine.finish();
  return facts;
}

/** A seeded generator (Park–Miller), so a failing case can be replayed. */
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 48271) % 2147483647;
    return state % n;
  };
}

/** Facts of every kind with every field the SDK writes, in random order and with random values. */
function syntheticFacts(count: number, seed: number): Fact[] {
  const random = generator(seed);
  const key = (): string =>
    random(6) === 0
      ? `finess:${750000000 + random(20)}`
      : `${['Patient', 'Encounter', 'Organization', 'é-Üñî'][random(4)]}/${random(400)}${random(9) === 0 ? '😀' : ''}`;
  const keyOrNull = (): string | null => (random(4) === 0 ? null : key());
  const keys = (): string[] => Array.from({ length: random(4) }, key);
  const text = (values: readonly (string | null)[]): string | null => values[random(values.length)] ?? null;
  const at = (): string | null => text([null, '2024-01-02', '2024-02-03T10:00:00Z', '2023-12-31T23:59']);
  const status = (): string | null => text([null, 'finished', 'cancelled', 'in-progress']);
  const facts: Fact[] = [];
  let lastUpdated: string | null = '2024-01-01T00:00:00Z';
  let recordKey = key();
  for (let i = 0; i < count; i += 1) {
    switch (random(11)) {
      case 0:
      case 1: {
        const resourceType = text(['Encounter', 'Appointment', 'AuditEvent']) as string;
        const id = random(10) === 0 ? null : `${random(500)}`;
        lastUpdated = random(5) === 0 ? at() : lastUpdated;
        recordKey = id === null ? key() : `${resourceType}/${id}`;
        facts.push({ k: 'record', resourceType, id, lastUpdated });
        break;
      }
      case 2:
        facts.push({
          k: 'organisation',
          key: key(),
          aliases: keys(),
          fineg: text([null, '750000010']),
          finej: text([null, '750000002']),
          finess: text([null, '750000036']),
          partOf: keyOrNull(),
          name: text([null, 'EHPAD Les Tilleuls']),
        });
        break;
      case 3:
        facts.push({ k: 'patient', key: key(), aliases: keys(), ins: keys(), links: keys() });
        break;
      case 4:
        facts.push({
          k: 'sejour',
          key: recordKey,
          aliases: keys(),
          resourceType: random(2) === 0 ? 'Encounter' : 'EpisodeOfCare',
          subject: keyOrNull(),
          provider: keyOrNull(),
          status: status(),
          start: at(),
          end: at(),
          partOf: keyOrNull(),
        });
        break;
      case 5:
        facts.push({
          k: 'event',
          record: recordKey,
          resourceType: random(2) === 0 ? 'Encounter' : 'Appointment',
          subject: keyOrNull(),
          status: status(),
          start: at(),
          partOf: keyOrNull(),
        });
        break;
      case 6:
        facts.push({
          k: 'projet-personnalise',
          record: recordKey,
          subject: keyOrNull(),
          status: status(),
          created: at(),
          end: at(),
        });
        break;
      case 7:
        facts.push({
          k: 'update',
          record: recordKey,
          resourceType: 'Encounter',
          subjects: keys(),
          at: lastUpdated ?? '2024-01-01',
          via: random(3) === 0 ? 'audit-event' : 'last-updated',
        });
        break;
      case 8:
        facts.push({
          k: 'usage',
          record: recordKey,
          kind: 'dmp-document-fed',
          at: at(),
          success: random(2) === 0,
          subject: keyOrNull(),
          org: keyOrNull(),
          ...(random(3) === 0 ? { orgUntyped: true as const } : {}),
          ...(random(3) === 0 ? { otherOrgs: keys() } : {}),
        });
        break;
      case 9:
        facts.push({
          k: 'problem',
          code: 'duplicate-record',
          resourceType: 'Encounter',
          ...(random(2) === 0 ? { id: `${random(500)}` } : {}),
          message: 'the same Type/id twice',
          ...(random(2) === 0 ? { location: { input: `${ROOT}/Encounter.000.ndjson`, line: i } } : {}),
          ...(random(2) === 0 ? { related: [key(), key()] } : {}),
        });
        break;
      default:
        facts.push({ k: 'time-form', field: 'Encounter.period.start', deviations: 1, count: 2 });
    }
  }
  return facts;
}

describe('the projection a reader writes (fused pseudonymising and encoding)', () => {
  it("gives exactly the bytes of pseudonymiseFact + the former encoder on the sample data's facts", () => {
    const facts = sampleFacts(6);
    expect(facts.length).toBeGreaterThan(2 * 8192);
    const kinds = new Set(facts.map((f) => f.k));
    for (const kind of ['record', 'organisation', 'patient', 'sejour', 'event', 'update', 'problem'])
      expect(kinds).toContain(kind);
    const fused = fusedSegment(facts, [SAMPLE_DATA_DIR]);
    expect(fused).toBe(referenceSegment(facts, [SAMPLE_DATA_DIR]));
    // Inputs are sealed relative to the configured path, and no key is written as read.
    expect(fused).toContain('"bad.ndjson"');
    expect(fused).not.toContain(SAMPLE_DATA_DIR);
    expect(fused).not.toMatch(/"(Patient|Encounter|Organization)\//);
  });

  it('gives exactly those bytes on facts of every kind, every field, FINESS keys, nulls and lists (seeded)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const facts = syntheticFacts(20_000, seed);
      const fused = fusedSegment(facts, [ROOT]);
      expect(fused).toBe(referenceSegment(facts, [ROOT]));
      expect(fused).toContain('finess:');
      expect(fused).toContain('"Encounter.000.ndjson"');
    }
  });

  it('writes a fact with a field it does not know through pseudonymiseFact (never as read)', () => {
    const facts = [
      { k: 'record', resourceType: 'Encounter', id: '1', lastUpdated: null },
      // A field the SDK might add one day: pseudonymiseFact decides, here it keeps it (not a key).
      {
        k: 'event',
        record: 'Encounter/1',
        resourceType: 'Encounter',
        subject: 'Patient/1',
        status: null,
        start: null,
        partOf: null,
        extra: 'x',
      },
      {
        k: 'event',
        record: 'Encounter/1',
        resourceType: 'Encounter',
        subject: 'Patient/1',
        status: null,
        start: null,
        partOf: null,
      },
    ] as unknown as Fact[];
    const fused = fusedSegment(facts, []);
    expect(fused).toBe(referenceSegment(facts, []));
    expect(fused).not.toContain('Patient/1');
  });
});
