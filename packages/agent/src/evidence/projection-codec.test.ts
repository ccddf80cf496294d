import { describe, expect, it } from 'vitest';
import { createReferenceColumnarEncoder } from './__fixtures__/columnar-encoder-reference.js';
import {
  createColumnarEncoder,
  decodeColumnar,
  isPseudonymKey,
  ProjectionFormatError,
} from './projection-codec.js';
import { JsonBytes } from './json-bytes.js';
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
  it('decodes to the very facts encoded, in their order, absent fields and non-pseudonym keys included', async () => {
    const lines = encode(FACTS);
    expect(lines[0]).toBe('{"format":"esms-columnar-3"}');
    expect(await decode(lines)).toEqual(FACTS);
  });

  it("writes a field another kind's fact just before holds as a reference to it, and long runs as runs", async () => {
    // An update repeats its record's lastUpdated and resourceType; a resourceType stays the same for long.
    const facts: Fact[] = [];
    for (let i = 0; i < 200; i += 1) {
      const lastUpdated = `2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00+01:00`;
      facts.push({ k: 'record', key: p(1000 + i), resourceType: 'Encounter', lastUpdated });
      // One in ten differs from its record: a literal among the references.
      const at = i % 10 === 0 ? '2023-12-31T00:00:00+01:00' : lastUpdated;
      facts.push({
        k: 'update',
        record: p(1000 + i),
        resourceType: 'Encounter',
        subjects: [p(i % 7)],
        at,
        via: 'last-updated',
      });
    }
    const lines = encode(facts);
    const block = JSON.parse(lines[1] ?? '{}') as { groups: [string, number, unknown[][]][] };
    const update = block.groups.find((g) => g[0] === 'update')?.[2] ?? [];
    const column = (name: string): unknown[] | undefined => update.find((c) => c[0] === name);
    expect(column('at')?.slice(1, 3)).toEqual(['s', null]);
    expect((column('at')?.[3] as unknown[]).slice(0, 2)).toEqual(['record', 'lastUpdated']);
    expect(column('record')?.[1]).toBe('s');
    expect(column('via')).toEqual(['via', 'l', null, [['last-updated'], [200]]]);
    expect(await decode(lines)).toEqual(facts);
    // The same facts, blocks cut anywhere: a block that starts with an update has no record before it.
    expect(await decode(encode(facts, { blockFacts: 7 }))).toEqual(facts);
  });

  it('still decodes esms-columnar-2 (stores sealed before the columns of runs and references)', async () => {
    const body = (n: number): string => String(n).padStart(22, 'A');
    const v2 = [
      '{"format":"esms-columnar-2"}',
      `{"n":4,"seq":"1023","new":["${body(3)}${body(1)}${body(4)}",[[2,"finess:750000010"]]],"groups":[["event",1,[["partOf","r",null,[null]],["record","r",null,[0]],["resourceType","v",null,["Encounter"]],["start","v",null,["2024-01-02"]],["status","v",null,["finished"]],["subject","r",null,[0]]]],["record",1,[["key","r",null,[-2]],["lastUpdated","v",null,["2024-01-03T10:00:00+01:00"]],["resourceType","v",null,["Encounter"]]]],["update",1,[["at","v",null,["2024-01-03T10:00:00+01:00"]],["record","r",null,[-2]],["resourceType","v",null,["Encounter"]],["subjects","R",null,[[1],[-1]]],["via","v",null,["last-updated"]]]],["usage",1,[["at","v",null,[null]],["kind","v",null,["dmp-document-fed"]],["org","r",null,[0]],["record","r",null,[0]],["subject","r",null,[null]],["success","v",null,[true]]]]]}`,
    ];
    expect(await decode(v2)).toEqual([
      { k: 'record', key: p(3), resourceType: 'Encounter', lastUpdated: '2024-01-03T10:00:00+01:00' },
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
      },
    ]);
    // The new column types are refused in a block that says it is esms-columnar-2.
    const forged = v2[1]!.replace(
      '["via","v",null,["last-updated"]]',
      '["via","l",null,[["last-updated"],[1]]]',
    );
    await expect(decode([v2[0]!, forged])).rejects.toBeInstanceOf(ProjectionFormatError);
  });

  it('keeps the order across kinds: a duplicated record keeps its own facts after each of its record facts', async () => {
    // Two versions of Encounter sej-2 (the SDK keeps the latest): the facts that follow a `record` fact are
    // that record's, so grouping by kind would hand the second version's séjour to the first.
    const version = (lastUpdated: string, status: string): Fact[] => [
      { k: 'record', key: p(2), resourceType: 'Encounter', lastUpdated },
      { k: 'sejour', record: p(2), subject: p(1), status, start: '2024-01-02' },
      { k: 'update', record: p(2), subjects: [p(1)], at: lastUpdated, via: 'last-updated' },
    ];
    const facts: Fact[] = [
      { k: 'record', key: p(1), resourceType: 'Patient', lastUpdated: '2024-01-01' },
      { k: 'patient', key: p(1), aliases: [], ins: [], links: [] },
      ...version('2024-01-03T10:00:00+01:00', 'finished'),
      { k: 'record', key: p(3), resourceType: 'Encounter', lastUpdated: '2024-01-04' },
      { k: 'sejour', record: p(3), subject: p(1), status: 'finished', start: '2024-01-04' },
      ...version('2024-02-01T10:00:00+01:00', 'cancelled'),
    ];
    expect(await decode(encode(facts))).toEqual(facts);
    // Across blocks too (a block boundary falls between a record fact and its facts).
    expect(await decode(encode(facts, { blockFacts: 4 }))).toEqual(facts);
  });

  it('decodes any interleaving of kinds in encoded order (seeded property, small blocks and dictionaries)', async () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 48271) % 2147483647; // Park–Miller: exact in doubles
      return seed % n;
    };
    const kinds = ['record', 'sejour', 'event', 'update', 'usage', 'problem', 'patient'];
    let distinctKindRuns = 0;
    const types = new Set<string>();
    let lastAt: string | undefined;
    let via: string | null = 'v0';
    for (let round = 0; round < 40; round += 1) {
      const facts: Fact[] = Array.from({ length: 1 + random(300) }, () => {
        const fact: Record<string, unknown> = {
          k: kinds[random(kinds.length)],
          key: p(random(40)),
        };
        if (random(2) === 0) fact['subjects'] = Array.from({ length: random(3) }, () => p(random(40)));
        if (random(3) === 0) fact['status'] = random(2) === 0 ? 'finished' : 'cancelled';
        if (random(4) === 0) fact['subject'] = null;
        // Fields that repeat the latest record's (type `s`) and long runs (type `l`), with exceptions.
        if (fact['k'] === 'record') lastAt = random(5) === 0 ? undefined : `t${random(9)}`;
        else if (lastAt !== undefined && random(3) !== 0)
          fact['at'] = random(6) === 0 ? `u${random(3)}` : lastAt;
        if (random(20) === 0) via = random(3) === 0 ? null : `v${random(4)}`;
        if (random(5) !== 0) fact['via'] = via;
        if (fact['k'] === 'record' && lastAt !== undefined) fact['at'] = lastAt;
        return fact;
      });
      for (let i = 1; i < facts.length; i += 1) if (facts[i]!.k !== facts[i - 1]!.k) distinctKindRuns += 1;
      const options = { blockFacts: 1 + random(64), dictionaryKeys: 20 + random(200) };
      const lines = encode(facts, options);
      for (const line of lines)
        for (const type of line.matchAll(/\["[a-z]+","([a-zA-Z])",/g)) types.add(type[1]!);
      expect(await decode(lines)).toEqual(facts);
    }
    expect(distinctKindRuns).toBeGreaterThan(100);
    expect([...types].sort()).toEqual(['R', 'l', 'r', 's', 'v']);
  });

  it('writes the bytes of the former encoder, by facts or by fields (seeded property, every column type)', () => {
    let seed = 777;
    const random = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const kinds = ['record', 'sejour', 'event', 'update', 'usage', 'problem', 'patient', 'zz', 'a'];
    for (let round = 0; round < 40; round += 1) {
      let lastAt: string | undefined;
      const facts: Fact[] = Array.from({ length: 1 + random(400) }, () => {
        const fact: Record<string, unknown> = { k: kinds[random(kinds.length)] };
        if (random(5) !== 0) fact['key'] = random(7) === 0 ? `finess:${random(5)}` : p(random(60));
        if (random(2) === 0) fact['subjects'] = Array.from({ length: random(3) }, () => p(random(60)));
        if (random(3) === 0) fact['status'] = random(2) === 0 ? 'finished' : null;
        if (random(9) === 0) fact['subject'] = undefined;
        if (random(11) === 0) fact['record'] = [1, 'x'];
        if (random(13) === 0) fact['location'] = { input: 'a.ndjson', line: random(9) };
        if (fact['k'] === 'record') lastAt = random(5) === 0 ? undefined : `t${random(9)}`;
        else if (lastAt !== undefined && random(3) !== 0)
          fact['at'] = random(6) === 0 ? `u${random(3)}` : lastAt;
        return fact;
      });
      const options = {
        blockFacts: 1 + random(80),
        dictionaryKeys: 10 + random(300),
        segment: random(2) === 0,
      };
      const reference: string[] = [];
      const former = createReferenceColumnarEncoder((line) => reference.push(line), options);
      for (const fact of facts) former.add(fact);
      former.end();
      expect(encode(facts, options)).toEqual(
        reference
          .join('')
          .split('\n')
          .filter((l) => l !== ''),
      );
      const byFields: string[] = [];
      const encoder = createColumnarEncoder((line) => byFields.push(line), options);
      for (const fact of facts) {
        const names = Object.keys(fact).filter((name) => name !== 'k');
        encoder.addFields(
          fact['k'] as string,
          names,
          names.map((name) => fact[name]),
          names.length,
        );
      }
      encoder.end();
      expect(byFields.join('')).toBe(reference.join(''));
    }
  });

  it('writes the bytes of the former encoder (JSON.stringify) for awkward strings, numbers and nested values', () => {
    // The encoder writes its JSON itself (issue 13): every place a string or value lands must stay exact.
    const awkward = [
      'a "quoted" word',
      'back\\slash',
      'tab\tnew\nline \u0000\u001f\u007f',
      'é ß 中文 😀',
      'lone \ud800 high, lone \udc00 low',
      'sep \u2028 \u2029',
      '',
    ];
    let seed = 4242;
    const random = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const pick = <T>(list: readonly T[]): T => list[random(list.length)] as T;
    const numbers = [0, -0, 7, -7, 2147483648, -2147483649, 1.5, 1e21, NaN, Infinity];
    const values: unknown[] = [
      ...awkward,
      ...numbers,
      null,
      true,
      false,
      [1, ['é', null]],
      { a: '\u2028', b: [] },
    ];
    for (let round = 0; round < 30; round += 1) {
      const facts: Fact[] = Array.from({ length: 1 + random(200) }, () => {
        const fact: Record<string, unknown> = {
          k: random(4) === 0 ? pick(awkward) || 'k' : pick(['event', 'usage']),
        };
        if (random(2) === 0) fact['key'] = random(3) === 0 ? pick(awkward) : p(random(40));
        if (random(2) === 0) fact['subjects'] = [p(random(40)), pick(awkward)];
        if (random(2) === 0) fact['status'] = pick(values);
        if (random(3) === 0) fact[pick(awkward) || 'f'] = pick(values);
        if (random(4) === 0) fact['at'] = random(2) === 0 ? 'same' : pick(values);
        return fact;
      });
      const options = {
        blockFacts: 1 + random(60),
        dictionaryKeys: 10 + random(200),
        segment: random(2) === 0,
      };
      const reference: string[] = [];
      const former = createReferenceColumnarEncoder((line) => reference.push(line), options);
      for (const fact of facts) former.add(fact);
      former.end();
      const lines: string[] = [];
      const encoder = createColumnarEncoder((line) => lines.push(line), options);
      for (const fact of facts) encoder.add(fact);
      encoder.end();
      expect(Buffer.from(lines.join(''), 'utf8')).toEqual(Buffer.from(reference.join(''), 'utf8'));
      // And through a sink of bytes (a projection segment's way): the same bytes, not decoded to a string.
      const out = new JsonBytes(16);
      const bytes: Buffer[] = [];
      const sunk = createColumnarEncoder(
        {
          out,
          lineWritten() {
            bytes.push(Buffer.from(out.buffer.subarray(0, out.length)));
            out.clear();
          },
        },
        options,
      );
      for (const fact of facts) sunk.add(fact);
      sunk.end();
      expect(Buffer.concat(bytes)).toEqual(Buffer.from(reference.join(''), 'utf8'));
    }
  });

  it('tells a pseudonym key as the regular expression /^p:[A-Za-z0-9_-]{22}$/ does', () => {
    const regex = /^p:[A-Za-z0-9_-]{22}$/;
    const body = 'AbCdEfGhIjKlMnOpQrSt_-';
    const keys = [
      `p:${body}`,
      `p:${body}\n`,
      `p:${body}x`,
      `p:${body.slice(1)}`,
      `P:${body}`,
      `p;${body}`,
      `q:${body}`,
      '',
      'p:',
      'finess:750000010',
    ];
    for (let c = 0; c < 0x3000; c += 1) keys.push(`p:${body.slice(0, 21)}${String.fromCharCode(c)}`);
    for (let c = 0; c < 0x300; c += 1) keys.push(`p:${String.fromCharCode(c)}${body.slice(1)}`);
    for (const key of keys) expect(isPseudonymKey(key), JSON.stringify(key)).toBe(regex.test(key));
  });

  it('still decodes esms-columnar-1 (stores sealed before the kinds kept their order)', async () => {
    const v1 = [
      '{"format":"esms-columnar-1"}',
      `{"k":"event","n":2,"reset":true,"new":["${'A'.repeat(21)}1${'A'.repeat(21)}2",[]],"cols":[["record","r",null,[0,1]],["status","v","10",["finished"]]]}`,
      '{"k":"usage","n":1,"new":["",[[0,"finess:750000010"]]],"cols":[["org","r",null,[0]],["record","r",null,[-3]]]}',
    ];
    expect(await decode(v1)).toEqual([
      { k: 'event', record: p(1), status: 'finished' },
      { k: 'event', record: p(2) },
      { k: 'usage', org: 'finess:750000010', record: p(1) },
    ]);
  });

  it('refuses a header that is not the format the sealed entry names', async () => {
    const lines = encode(FACTS);
    async function* source(): AsyncGenerator<string> {
      await Promise.resolve();
      yield* lines;
    }
    const read = async (): Promise<void> => {
      for await (const _ of decodeColumnar(source(), 'esms-columnar-1')) void _;
    };
    await expect(read()).rejects.toThrow(/the sealed entry esms-columnar-1/);
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
    expect(await decode(lines)).toEqual(many);
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

  const cols = (b: Record<string, unknown>): unknown[][] =>
    (b['groups'] as unknown[][])[0]![2] as unknown[][];
  it.each([
    ['a reference outside the dictionary', (b: Record<string, unknown>) => (cols(b)[0]![3] = [-5])],
    [
      'a new key left unused',
      (b: Record<string, unknown>) => ((b['new'] as unknown[])[0] = `${'B'.repeat(22)}${'C'.repeat(22)}`),
    ],
    ['a wrong fact count', (b: Record<string, unknown>) => (b['n'] = 2)],
    ['an unknown column type', (b: Record<string, unknown>) => (cols(b)[0]![1] = 'z')],
    ['a kind sequence on a block of one group', (b: Record<string, unknown>) => (b['seq'] = '0')],
    [
      'a reference to another kind in a block of one kind',
      (b: Record<string, unknown>) => (cols(b)[0] = ['record', 's', null, ['record', 'key', null, []]]),
    ],
    [
      'runs longer than the column',
      (b: Record<string, unknown>) => (cols(b)[0] = ['record', 'l', null, [['x'], [2]]]),
    ],
  ])('refuses a forged block (%s) with a ProjectionFormatError, never a crash', async (name, forge) => {
    const lines = encode([{ k: 'event', record: p(1), subject: null }]);
    const block = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>;
    forge(block);
    await expect(decode([lines[0] ?? '', JSON.stringify(block)])).rejects.toBeInstanceOf(
      ProjectionFormatError,
    );
  });

  it('refuses a projection without its header', async () => {
    await expect(decode(['{"k":"event","n":1}'])).rejects.toThrow(/not an esms-columnar-3 .*header/);
  });

  it.each([
    ['a sequence too short', (b: Record<string, unknown>) => (b['seq'] = '01')],
    ['a sequence naming a missing group', (b: Record<string, unknown>) => (b['seq'] = '029')],
    ['a sequence taking one group too often', (b: Record<string, unknown>) => (b['seq'] = '000')],
    ['a sequence with a character outside its alphabet', (b: Record<string, unknown>) => (b['seq'] = '1-1')],
    ['a sequence with a character beyond ASCII', (b: Record<string, unknown>) => (b['seq'] = '1\u01301')],
    [
      'a reference to a field the fact before lacks',
      (b: Record<string, unknown>) => {
        const event = (b['groups'] as unknown[][]).find((g) => g[0] === 'event')![2] as unknown[][];
        event[0] = ['record', 's', null, ['record', 'missing', null, []]];
      },
    ],
    [
      'a reference with no fact of its kind before it',
      (b: Record<string, unknown>) => {
        const record = (b['groups'] as unknown[][]).find((g) => g[0] === 'record')![2] as unknown[][];
        record[0] = ['key', 's', null, ['event', 'record', null, []]];
      },
    ],
  ])('refuses a forged kind sequence or reference (%s)', async (name, forge) => {
    const lines = encode([
      { k: 'record', key: p(1) },
      { k: 'event', record: p(1) },
      { k: 'record', key: p(2) },
    ]);
    const block = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>;
    expect(block['seq']).toBe('101');
    forge(block);
    const decoding = decode([lines[0] ?? '', JSON.stringify(block)]);
    await expect(decoding).rejects.toBeInstanceOf(ProjectionFormatError);
    if (name.includes('outside its alphabet') || name.includes('beyond ASCII'))
      await expect(decoding).rejects.toThrow('projection line 2: bad kind sequence');
  });
});
