import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Computation, type EngineOptions } from '../index.js';
import { duiExtract } from '../test-support/arbitraries.js';
import { message, patient, projetPersonnalise, sejour, usage } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, D, essms, findings } from '../test-support/compute.js';
import { FINESS } from '../test-support/builders.js';
import { RecordVersions } from './record-versions.js';

const RUNS = Number(process.env['SDK_PROPERTY_RUNS'] ?? 40);

/** The figures and findings of a computation, without the duplicate-record warnings. */
function figures(c: Computation) {
  const sorted = (list: unknown[]) => list.map((f) => JSON.stringify(f)).sort();
  return {
    establishments: c.results.establishments,
    organisations: c.results.organisations,
    errors: sorted(c.results.dataQuality.errors),
    warnings: sorted(c.results.dataQuality.warnings.filter((w) => w.code !== 'duplicate-record')),
    subjects: c.subjects,
  };
}

const withLastUpdated = (record: Record<string, unknown>, lastUpdated: string) => ({
  ...record,
  meta: { ...(record.meta as object | undefined), lastUpdated },
});

describe('RecordVersions: which version of a Type/id is used', () => {
  it('the latest lastUpdated wins, whatever the order; equal ones: the last read; no Type/id: always used', () => {
    const table = new RecordVersions();
    const a = table.add('Encounter', 'e', 20, 0);
    const b = table.add('Encounter', 'e', 10, 0);
    const c = table.add('Encounter', 'e', 20, 0);
    const other = table.add('Encounter', 'f', Number.NEGATIVE_INFINITY, 0);
    expect([a, b, c, other].map((o) => table.isUsed(o))).toEqual([false, false, true, true]);
    expect(table.isUsed(-1)).toBe(true);
    expect(table.duplicates()).toEqual([{ key: 'Encounter/e', versions: 3 }]);
  });

  it('an explicit order decides between equal lastUpdated before the order of the calls', () => {
    const table = new RecordVersions();
    const late = table.add('Patient', 'p', 5, 200);
    const early = table.add('Patient', 'p', 5, 100);
    expect([table.isUsed(late), table.isUsed(early)]).toEqual([true, false]);
  });

  it('keys are compared exactly, not by hash; keys with characters above U+00FF are kept too', () => {
    const table = new RecordVersions();
    const keys = Array.from({ length: 5000 }, (_, i) => `Encounter/e${i}`);
    keys.push('Patient/é', 'Patient/日本', 'Patient/日本');
    const occurrences = keys.map((k) =>
      table.add(k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1), 0, 0),
    );
    expect(table.duplicates()).toEqual([{ key: 'Patient/日本', versions: 2 }]);
    expect(occurrences.filter((o) => !table.isUsed(o))).toEqual([occurrences[5001]]);
  });

  it('merging two tables decides again between their winners, and counts every version', () => {
    const one = new RecordVersions();
    const two = new RecordVersions();
    one.add('Encounter', 'e', 10, 1);
    one.add('Patient', '日本', 10, 1);
    two.add('Encounter', 'e', 30, 2);
    two.add('Encounter', 'e', 20, 3);
    two.add('Patient', '日本', 5, 2);
    const base = one.mergeState(structuredClone(two.exportState()));
    expect(base).toBe(2);
    expect([0, 1, 2, 3, 4].map((o) => one.isUsed(o))).toEqual([false, true, true, false, false]);
    expect(one.duplicates()).toEqual([
      { key: 'Encounter/e', versions: 3 },
      { key: 'Patient/日本', versions: 2 },
    ]);
  });
});

describe('RecordVersions merged without copying (segments, issue 13)', () => {
  const keyArb = fc.record({
    type: fc.constantFrom('Encounter', 'Patient', 'A/b', 'Typé'),
    id: fc.constantFrom('1', '2', '3', 'x/y', 'é', '日本', 'b/c', ''),
    lastUpdated: fc.constantFrom(Number.NEGATIVE_INFINITY, 10, 20, 30),
  });
  it('property: tables merged in any order, added to after a merge, merged again after an export, decide as one table', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.nat(3)), { maxLength: 60 }), fc.nat(2), (ops, chained) => {
        // The reference: one table reading every record; orders are unique, so ties never fall to the
        // order of the calls (which merging changes by design).
        const whole = new RecordVersions();
        const wholeOccurrences = ops.map(([k], i) => whole.add(k.type, k.id, k.lastUpdated, i));
        // Four tables; table 3 is the main one, and reads again after each merge.
        const tables = [0, 1, 2, 3].map(() => new RecordVersions());
        const local = ops.map(([k, t], i) => ({
          t,
          occurrence: t === 3 ? -1 : tables[t]!.add(k.type, k.id, k.lastUpdated, i),
        }));
        const main = tables[3]!;
        const global = new Array<number>(ops.length).fill(-1);
        const late = ops.map((_, i) => i).filter((i) => local[i]!.t === 3);
        const half = Math.floor(late.length / 2);
        for (const i of late.slice(0, half))
          global[i] = main.add(ops[i]![0].type, ops[i]![0].id, ops[i]![0].lastUpdated, i);
        // `chained`: table 1 first takes table 2 in and is exported (its segment absorbed) into main.
        const order = chained === 1 ? [0, 1] : [0, 1, 2];
        if (chained === 1) {
          const base2 = tables[1]!.mergeState(structuredClone(tables[2]!.exportState()));
          for (let i = 0; i < ops.length; i++)
            if (local[i]!.t === 2) local[i] = { t: 1, occurrence: base2 + local[i]!.occurrence };
        }
        for (const t of order) {
          const base = main.mergeState(structuredClone(tables[t]!.exportState()));
          for (let i = 0; i < ops.length; i++) if (local[i]!.t === t) global[i] = base + local[i]!.occurrence;
          if (t === 0)
            for (const i of late.slice(half, half + 2))
              global[i] = main.add(ops[i]![0].type, ops[i]![0].id, ops[i]![0].lastUpdated, i);
        }
        for (const i of late.slice(half + 2))
          global[i] = main.add(ops[i]![0].type, ops[i]![0].id, ops[i]![0].lastUpdated, i);
        expect(global.map((o) => main.isUsed(o))).toEqual(wholeOccurrences.map((o) => whole.isUsed(o)));
        expect(main.duplicates()).toEqual(whole.duplicates());
        // And once more through an export of the merged table (segments absorbed).
        const again = new RecordVersions();
        const base = again.mergeState(structuredClone(main.exportState()));
        expect(global.map((o) => again.isUsed(base + o))).toEqual(
          wholeOccurrences.map((o) => whole.isUsed(o)),
        );
        expect(again.duplicates()).toEqual(whole.duplicates());
      }),
      { numRuns: 300 },
    );
  });
});

describe('RecordVersions merged from many tables', () => {
  it('property: more tables than are kept as segments decide as one table (the extra ones are absorbed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('1', '2', '3', '4', 'é/x'), fc.constantFrom(10, 20), fc.nat(7)), {
          maxLength: 80,
        }),
        (ops) => {
          const whole = new RecordVersions();
          const expected = ops.map(([id, lastUpdated], i) => whole.add('Encounter', id, lastUpdated, i));
          const tables = Array.from({ length: 8 }, () => new RecordVersions());
          const local = ops.map(([id, lastUpdated, t], i) => tables[t]!.add('Encounter', id, lastUpdated, i));
          const global = [...local];
          for (let t = 1; t < 8; t++) {
            const base = tables[0]!.mergeState(structuredClone(tables[t]!.exportState()));
            ops.forEach(([, , table], i) => {
              if (table === t) global[i] = base + local[i]!;
            });
          }
          expect(global.map((o) => tables[0]!.isUsed(o))).toEqual(expected.map((o) => whole.isUsed(o)));
          expect(tables[0]!.duplicates()).toEqual(whole.duplicates());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('RecordVersions gives its memory back', () => {
  it('grows through every doubling with the same answers, and a released table refuses lookups', () => {
    const table = new RecordVersions();
    const occurrences: number[] = [];
    // Past the initial sizes of every array (keys, arena, slots, occurrences), with a duplicate of each 3rd.
    for (let i = 0; i < 5000; i++) {
      occurrences.push(table.add('Encounter', `e-${i}`, 10, i));
      if (i % 3 === 0) occurrences.push(table.add('Encounter', `e-${i}`, 20, i));
    }
    const used = occurrences.filter((o) => table.isUsed(o)).length;
    expect(used).toBe(5000);
    expect(table.duplicates()).toHaveLength(1667);
    table.release();
    expect(() => table.isUsed(0)).toThrow(/released/);
  });
});

describe('RecordVersions keeps each type once, and compares whole Type/id strings', () => {
  it('a key is its whole Type/id: another type with the same id is another record, A/b + c is A + b/c', () => {
    const table = new RecordVersions();
    const occurrences = [
      table.add('Encounter', 'x', 0, 0),
      table.add('Patient', 'x', 0, 0),
      table.add('A/b', 'c', 0, 0),
      table.add('A', 'b/c', 0, 0),
      table.add('Encounter', 'x', 0, 0),
    ];
    expect(table.duplicates()).toEqual([
      { key: 'A/b/c', versions: 2 },
      { key: 'Encounter/x', versions: 2 },
    ]);
    expect(occurrences.map((o) => table.isUsed(o))).toEqual([false, true, false, true, true]);
  });

  it('tables that numbered their types in another order merge by type name', () => {
    const one = new RecordVersions();
    const two = new RecordVersions();
    one.add('Patient', 'p', 1, 1);
    one.add('Encounter', 'e', 1, 1);
    one.add('A', 'b/c', 1, 1);
    two.add('Encounter', 'e', 2, 2);
    two.add('Appointment', 'a', 1, 2);
    two.add('Patient', 'p', 0, 2);
    two.add('A/b', 'c', 2, 2);
    const base = one.mergeState(structuredClone(two.exportState()));
    expect(base).toBe(3);
    expect([0, 1, 2, 3, 4, 5, 6].map((o) => one.isUsed(o))).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(one.duplicates()).toEqual([
      { key: 'A/b/c', versions: 2 },
      { key: 'Encounter/e', versions: 2 },
      { key: 'Patient/p', versions: 2 },
    ]);
  });
});

describe('one Type/id is one record (indicators.md "Data quality", issue 9 §3)', () => {
  it('a usage AuditEvent given twice counts once, and is reported as duplicate-record', () => {
    const m = message('m1');
    const c = compute([essms(), ...accompaniedPerson('p'), m, structuredClone(m)]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([1, 1]);
    expect(findings(c, 'duplicate-record')).toEqual([
      expect.objectContaining({ resourceType: 'AuditEvent', id: 'm1', count: 1 }),
    ]);
  });

  it('the version with the latest meta.lastUpdated is used, read first or last', () => {
    const active = withLastUpdated(
      projetPersonnalise({ id: 'pp', patient: 'p', status: 'active' }),
      '2024-02-01T10:00:00+01:00',
    );
    const completed = withLastUpdated(
      projetPersonnalise({ id: 'pp', patient: 'p', status: 'completed' }),
      '2024-03-01T10:00:00+01:00',
    );
    for (const order of [
      [active, completed],
      [completed, active],
    ]) {
      const c = compute([essms(), ...accompaniedPerson('p'), ...order]);
      expect(counts(c, FINESS.paris, 'taux-projet-personnalise')).toEqual([0, 1]);
    }
  });

  it('with equal lastUpdated, the last read is used', () => {
    const at = '2024-02-01T10:00:00+01:00';
    const active = withLastUpdated(projetPersonnalise({ id: 'pp', patient: 'p', status: 'active' }), at);
    const revoked = withLastUpdated(projetPersonnalise({ id: 'pp', patient: 'p', status: 'revoked' }), at);
    expect(
      counts(
        compute([essms(), ...accompaniedPerson('p'), revoked, active]),
        FINESS.paris,
        'taux-projet-personnalise',
      ),
    ).toEqual([1, 1]);
    expect(
      counts(
        compute([essms(), ...accompaniedPerson('p'), active, revoked]),
        FINESS.paris,
        'taux-projet-personnalise',
      ),
    ).toEqual([0, 1]);
  });

  it('an older séjour, Patient or Organization version is not used either', () => {
    const oldStay = withLastUpdated(
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01' }),
      '2023-01-01T00:00:00Z',
    );
    const newStay = withLastUpdated(
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01', end: '2023-07-01' }),
      '2023-08-01T00:00:00Z',
    );
    const c = compute([essms(), patient({ id: 'p', lastUpdated: '2024-02-01T00:00:00Z' }), newStay, oldStay]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([0, 0]);
    // The Patient's own lastUpdated: only the latest version's update counts.
    const inP = patient({ id: 'q', lastUpdated: '2024-02-01T00:00:00Z' });
    const afterP = patient({ id: 'q', lastUpdated: '2024-05-01T00:00:00Z' });
    const c2 = compute([
      essms(),
      inP,
      sejour({ id: 'sq', patient: 'q', org: 'essms', start: '2023-06-01' }),
      afterP,
    ]);
    expect(counts(c2, FINESS.paris, 'taux-dossiers-actifs')).toEqual([0, 1]);
  });

  it('records without an id are never duplicates of each other', () => {
    const anonymous = {
      ...usage({
        id: 'x',
        kind: 'mssante-message-sent',
        recorded: '2024-02-01T10:00:00+01:00',
        org: 'essms',
      }),
    };
    delete (anonymous as { id?: unknown }).id;
    const c = compute([essms(), ...accompaniedPerson('p'), anonymous, structuredClone(anonymous)]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([2, 1]);
    expect(findings(c, 'duplicate-record')).toEqual([]);
  });

  it('duplicates in different engines (worker threads) are found when their partials are merged', () => {
    const m = message('m1');
    const one = createEngine({ measureDate: D });
    const two = createEngine({ measureDate: D });
    for (const r of [essms(), ...accompaniedPerson('p'), m]) one.add(r);
    two.add(structuredClone(m));
    one.mergePartial(structuredClone(two.exportPartial()));
    const c = one.finish();
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([1, 1]);
    expect(findings(c, 'duplicate-record')).toEqual([expect.objectContaining({ id: 'm1', count: 1 })]);
  });

  it('property: an older copy of any records changes no figure, wherever it is read, in one engine or several', () => {
    const options: EngineOptions = { measureDate: D };
    const input = duiExtract.chain((records) =>
      fc.record({
        records: fc.constant(records),
        copies: fc.subarray(records.map((_, i) => i)),
        positions: fc.array(fc.nat(), { minLength: records.length, maxLength: records.length }),
        parts: fc.integer({ min: 1, max: 3 }),
      }),
    );
    fc.assert(
      fc.property(input, ({ records, copies, positions, parts }) => {
        const expected = createEngine(options);
        for (const r of records) expected.add(r);
        const want = expected.finish();
        // Each copied record gets the latest lastUpdated; an older copy (altered) is put anywhere.
        const latest = records.map((r, i) =>
          copies.includes(i) && typeof r.id === 'string' ? withLastUpdated(r, '2030-01-01T00:00:00Z') : r,
        );
        const older = copies
          .filter((i) => typeof records[i]!.id === 'string')
          .map((i) => ({
            ...withLastUpdated(records[i]!, '2000-01-01T00:00:00Z'),
            status: 'entered-in-error',
          }));
        const all = [...latest];
        older.forEach((r, k) => all.splice((positions[k] ?? 0) % (all.length + 1), 0, r));
        const withLatest = createEngine(options);
        for (const r of latest) withLatest.add(r);
        const reference = withLatest.finish();
        const engines = Array.from({ length: parts }, () => createEngine(options));
        all.forEach((r, i) => engines[i % parts]!.add(r, { order: i }));
        const [main, ...others] = engines;
        for (const other of others) main!.mergePartial(structuredClone(other.exportPartial()));
        const got = main!.finish();
        expect(figures(got)).toEqual(figures(reference));
        expect(findings(got, 'duplicate-record').length).toBe(older.length);
        // And the latest lastUpdated alone changes nothing but the history-missing count.
        expect(reference.results.establishments.map((e) => e.finess)).toEqual(
          want.results.establishments.map((e) => e.finess),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
