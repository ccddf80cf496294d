import { describe, expect, it } from 'vitest';
import { createColumnarEncoder, decodeColumnar, ProjectionFormatError } from './projection-codec.js';
import type { Fact } from './recompute.js';

const p = (n: number): string => `p:${String(n).padStart(22, 'A')}`;

function encode(facts: readonly Fact[], options: Parameters<typeof createColumnarEncoder>[1] = {}): string[] {
  const lines: string[] = [];
  const encoder = createColumnarEncoder((line) => lines.push(line), options);
  for (const fact of facts) encoder.add(fact);
  encoder.end();
  return lines
    .join('')
    .split('\n')
    .filter((l) => l !== '');
}

async function decode(lines: readonly string[]): Promise<Fact[]> {
  async function* source(): AsyncGenerator<string> {
    await Promise.resolve();
    yield* lines;
  }
  const facts: Fact[] = [];
  for await (const fact of decodeColumnar(source())) facts.push(fact);
  return facts;
}

const sortKey = (f: Fact): string => JSON.stringify(Object.fromEntries(Object.entries(f).sort()));

const FACTS: Fact[] = [
  { k: 'patient', key: p(1), aliases: [p(2), 'finess:750000010'], ins: [], links: [] },
  {
    k: 'event',
    record: p(3),
    resourceType: 'Encounter',
    subject: p(1),
    status: 'finished',
    start: '2024-01-02',
    partOf: null,
  },
  {
    k: 'update',
    record: p(3),
    resourceType: 'Encounter',
    subjects: [p(1)],
    at: '2024-01-03T10:00:00+01:00',
    via: 'last-updated',
  },
  {
    k: 'usage',
    record: p(4),
    kind: 'dmp-document-fed',
    at: null,
    success: true,
    subject: null,
    org: 'finess:750000010',
    orgUntyped: true,
  },
  {
    k: 'usage',
    record: p(5),
    kind: 'mssante-message-sent',
    at: '2024-02-01',
    success: false,
    subject: p(1),
    org: null,
  },
  {
    k: 'problem',
    code: 'invalid-resource',
    resourceType: 'Encounter',
    id: p(6),
    message: 'period.start: not a valid FHIR date',
  },
  {
    k: 'organisation',
    key: 'finess:750000010',
    aliases: [],
    fineg: '750000010',
    finej: null,
    finess: null,
    partOf: null,
    name: 'EHPAD',
  },
];

describe('the columnar projection encoding', () => {
  it('decodes to the very facts encoded (grouped by kind), absent fields and non-pseudonym keys included', async () => {
    const decoded = await decode(encode(FACTS));
    expect(decoded.map(sortKey).sort()).toEqual(FACTS.map(sortKey).sort());
  });

  it('keeps a bounded dictionary: with room for only a few keys it starts again and still decodes the same', async () => {
    const many: Fact[] = Array.from({ length: 500 }, (_, i) => ({
      k: 'event',
      record: p(1000 + i),
      resourceType: 'Encounter',
      subject: p(i % 7),
      status: i % 3 === 0 ? 'cancelled' : 'finished',
      start: `2024-01-${String((i % 28) + 1).padStart(2, '0')}`,
      partOf: null,
    }));
    const lines = encode(many, { blockFacts: 64, dictionaryKeys: 100 });
    expect(lines.some((l) => l.includes('"reset":true'))).toBe(true);
    expect((await decode(lines)).map(sortKey).sort()).toEqual(many.map(sortKey).sort());
  });

  it('writes each pseudonym once: far smaller than one JSON fact per line', () => {
    const many: Fact[] = Array.from({ length: 2000 }, (_, i) => ({
      k: 'update',
      record: p(i),
      resourceType: 'Encounter',
      subjects: [p(99_999)],
      at: '2024-01-03T10:00:00+01:00',
      via: 'last-updated',
    }));
    const columnar = encode(many).join('\n').length;
    const ndjson = many.map((f) => JSON.stringify(f)).join('\n').length;
    expect(columnar).toBeLessThan(ndjson / 2);
  });

  it.each([
    [
      'a reference outside the dictionary',
      (b: Record<string, unknown>) => ((b['cols'] as unknown[][])[0]![3] = [-5]),
    ],
    [
      'a new key left unused',
      (b: Record<string, unknown>) => ((b['new'] as unknown[])[0] = `${'B'.repeat(22)}${'C'.repeat(22)}`),
    ],
    ['a wrong fact count', (b: Record<string, unknown>) => (b['n'] = 2)],
    ['an unknown column type', (b: Record<string, unknown>) => ((b['cols'] as unknown[][])[0]![1] = 'z')],
  ])('refuses a forged block (%s) with a ProjectionFormatError, never a crash', async (_name, forge) => {
    const lines = encode([{ k: 'event', record: p(1), subject: null }]);
    const block = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>;
    forge(block);
    await expect(decode([lines[0] ?? '', JSON.stringify(block)])).rejects.toBeInstanceOf(
      ProjectionFormatError,
    );
  });

  it('refuses a projection without its header', async () => {
    await expect(decode(['{"k":"event","n":1}'])).rejects.toThrow(/not an esms-columnar-1 header/);
  });
});
