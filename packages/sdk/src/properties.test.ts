import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeIndicatorsSync,
  pseudonymiseFact,
  RATE_INDICATOR_IDS,
  recomputeFromProjection,
  type Computation,
  type EngineOptions,
  type Fact,
  type IndicatorResults,
} from './index.js';
import { duiExtract, jsonPaths, junk, mutateAt, straddlingExtract } from './test-support/arbitraries.js';

/**
 * Property runs are kept small enough for the whole SDK suite to stay within its time budget (creating an
 * engine costs a few milliseconds: it precomputes P for every candidate time zone). Hunt with more:
 * `SDK_PROPERTY_RUNS=2000 pnpm vitest run --project sdk packages/sdk/src/properties.test.ts`.
 */
const RUNS = Number(process.env.SDK_PROPERTY_RUNS ?? 40);
/** Generous: the suite shares its CPU with the rest of the workspace's tests. */
const TIMEOUT_MS = Math.max(30_000, RUNS * 100);

const options = fc.record({
  measureDate: fc.constantFrom('2024-04-01', '2024-04-15', '2024-03-31', '2024-01-01'),
  denominatorScope: fc.constantFrom<'period' | 'calendar-year'>('period', 'calendar-year'),
  countCancelledEvents: fc.boolean(),
  finessMode: fc.constantFrom<'lenient' | 'strict'>('lenient', 'strict'),
  projectStartDate: fc.constantFrom(null, '2023-06-01'),
  allCarePlansAreProjetPersonnalise: fc.boolean(),
});

/** The figures of a computation, with findings as a sorted list (their order follows the input's). */
function comparable(c: Computation) {
  const sorted = (list: unknown[]) => list.map((f) => JSON.stringify(f)).sort();
  return {
    establishments: c.results.establishments,
    organisations: c.results.organisations,
    errors: sorted(c.results.dataQuality.errors),
    warnings: sorted(c.results.dataQuality.warnings),
    subjects: c.subjects,
  };
}

function checkInvariants(c: Computation): void {
  const checkRates = (indicators: IndicatorResults, where: string) => {
    for (const id of RATE_INDICATOR_IDS) {
      const r = indicators[id];
      const label = `${where} ${id}`;
      expect(Number.isInteger(r.numerator) && r.numerator >= 0, label).toBe(true);
      expect(Number.isInteger(r.denominator) && r.denominator >= 0, label).toBe(true);
      if (r.denominator === 0) {
        expect([r.rate, r.met], label).toEqual([null, false]);
        continue;
      }
      expect(r.rate, label).not.toBeNull();
      expect(r.rate!, label).toBeGreaterThanOrEqual(0);
      expect(r.met, label).toBe((100 * r.numerator) / r.denominator >= r.target);
      if (id !== 'taux-mssante') {
        expect(r.numerator, label).toBeLessThanOrEqual(r.denominator);
        expect(r.rate!, label).toBeLessThanOrEqual(100);
      }
    }
    const rx = indicators['e-prescriptions-importees'];
    expect(
      Object.values(rx.byMonth).reduce((a, b) => a + b, 0),
      where,
    ).toBe(rx.total);
  };
  for (const e of c.results.establishments) {
    checkRates(e.indicators, e.finess);
    expect(e.dossiersActifs).toBe(e.indicators['taux-dossiers-actifs'].numerator);
    expect(e.indicators['taux-projet-personnalise'].denominator).toBe(e.dossiersActifs);
    expect(e.indicators['taux-evenement-agenda'].denominator).toBe(e.dossiersActifs);
    expect(e.vaReady).toBe(e.vaReason === null);
    const months = Object.keys(e.indicators['e-prescriptions-importees'].byMonth).length;
    expect(months).toBe(c.results.measureDate.endsWith('-01') ? 3 : 4);
  }
  for (const og of c.results.organisations) {
    checkRates(og.indicators, `OG ${og.finess}`);
    const members = c.results.establishments.filter((e) => og.establishments.includes(e.finess));
    for (const id of RATE_INDICATOR_IDS) {
      expect(og.indicators[id].numerator).toBe(members.reduce((a, e) => a + e.indicators[id].numerator, 0));
      expect(og.indicators[id].denominator).toBe(
        members.reduce((a, e) => a + e.indicators[id].denominator, 0),
      );
    }
  }
  for (const x of c.subjects) {
    const e = c.results.establishments.find((r) => r.finess === x.finess)!;
    for (const id of [
      'taux-dossiers-actifs',
      'taux-projet-personnalise',
      'taux-evenement-agenda',
      'taux-dmp',
    ] as const) {
      expect(x.indicators[id]?.numerator.length).toBe(e.indicators[id].numerator);
      expect(x.indicators[id]?.denominator.length).toBe(e.indicators[id].denominator);
    }
  }
}

describe('properties', () => {
  it(
    'arbitrary JSON values never make the engine throw, and each non-resource is reported',
    () => {
      fc.assert(
        fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 8 }), (values) => {
          const c = computeIndicatorsSync(values, { measureDate: '2024-04-01' });
          expect(c.results.establishments).toEqual([]);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'arbitrary records of known resource types never make the engine throw',
    () => {
      const record = fc
        .record({
          resourceType: fc.constantFrom(
            'Patient',
            'Organization',
            'Encounter',
            'EpisodeOfCare',
            'Appointment',
            'CarePlan',
            'AuditEvent',
            'Bundle',
            'Observation',
          ),
          fields: fc.dictionary(
            fc.constantFrom(
              'id',
              'meta',
              'identifier',
              'subject',
              'patient',
              'period',
              'status',
              'serviceProvider',
              'partOf',
              'link',
              'entry',
              'participant',
              'agent',
              'entity',
              'type',
              'recorded',
              'outcome',
              'action',
              'category',
              'created',
              'start',
              'managingOrganization',
            ),
            fc.jsonValue({ maxDepth: 3 }),
          ),
        })
        .map(({ resourceType, fields }) => ({ ...fields, resourceType }));
      fc.assert(
        fc.property(fc.array(record, { maxLength: 10 }), (records) => {
          expect(() => computeIndicatorsSync(records, { measureDate: '2024-04-01' })).not.toThrow();
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'arbitrary mutations of valid resources never make the engine throw, and the figures stay consistent',
    () => {
      const mutated = duiExtract
        .filter((records) => records.length > 0)
        .chain((records) =>
          fc
            .array(fc.tuple(fc.nat({ max: records.length - 1 }), fc.nat(), junk), {
              minLength: 1,
              maxLength: 4,
            })
            .map((mutations) => {
              const out = [...records];
              for (const [index, pathIndex, value] of mutations) {
                const paths = jsonPaths(out[index]);
                if (paths.length === 0) continue;
                out[index] = mutateAt(out[index], paths[pathIndex % paths.length]!, value) as Record<
                  string,
                  unknown
                >;
              }
              return out;
            }),
        );
      fc.assert(
        fc.property(mutated, options, (records, opts) => {
          checkInvariants(computeIndicatorsSync(records, opts));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'rates stay within [0, 100] (MSSanté ≥ 0), numerators ≤ denominators (except MSSanté), OG sums hold',
    () => {
      fc.assert(
        fc.property(duiExtract, options, (records, opts) => {
          checkInvariants(computeIndicatorsSync(records, opts));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'a numerator never exceeds its denominator for the four person rates, with either denominatorScope (issue 9 §1)',
    () => {
      // Measurement dates whose P straddles two calendar years (2024-01-15: P from 2023-10-15, year 2024)
      // as well as ordinary ones, each with both scopes.
      const scoped = fc.record({
        measureDate: fc.constantFrom('2024-01-15', '2024-02-29', '2024-01-01', '2024-04-01'),
        denominatorScope: fc.constantFrom<'period' | 'calendar-year'>('period', 'calendar-year'),
      });
      const personRates = [
        'taux-dossiers-actifs',
        'taux-projet-personnalise',
        'taux-evenement-agenda',
        'taux-dmp',
      ] as const;
      fc.assert(
        fc.property(fc.oneof(duiExtract, straddlingExtract), scoped, (records, opts) => {
          const c = computeIndicatorsSync(records, opts);
          for (const owner of [...c.results.establishments, ...c.results.organisations]) {
            for (const id of personRates) {
              const { numerator, denominator } = owner.indicators[id];
              expect(numerator, `${owner.finess} ${id} ${opts.denominatorScope}`).toBeLessThanOrEqual(
                denominator,
              );
            }
          }
        }),
        { numRuns: RUNS * 3 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'input order does not change the results',
    () => {
      const shuffled = duiExtract.chain((records) =>
        fc
          .array(fc.double({ noNaN: true }), { minLength: records.length, maxLength: records.length })
          .map((keys) => ({
            records,
            permuted: records
              .map((r, i) => [keys[i]!, r] as const)
              .sort((a, b) => a[0] - b[0])
              .map(([, r]) => r),
          })),
      );
      fc.assert(
        fc.property(shuffled, options, ({ records, permuted }, opts) => {
          expect(comparable(computeIndicatorsSync(permuted, opts))).toEqual(
            comparable(computeIndicatorsSync(records, opts)),
          );
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'recomputing from the pseudonymised projection (facts captured through onFact) gives the same figures',
    async () => {
      const secret = 'local-secret-never-leaves';
      const pseudonymise = (key: string) => createHmac('sha256', secret).update(key).digest('hex');
      await fc.assert(
        fc.asyncProperty(duiExtract, options, async (records, opts) => {
          const facts: Fact[] = [];
          const engineOptions: EngineOptions = {
            ...opts,
            onFact: (f) => facts.push(pseudonymiseFact(f, pseudonymise)),
          };
          const direct = computeIndicatorsSync(records, engineOptions);
          const again = await recomputeFromProjection(facts, opts);
          expect(again.results.establishments).toEqual(direct.results.establishments);
          expect(again.results.organisations).toEqual(direct.results.organisations);
          const codes = (c: Computation) =>
            [...c.results.dataQuality.errors, ...c.results.dataQuality.warnings].map((f) => f.code).sort();
          expect(codes(again)).toEqual(codes(direct));
          // Nothing that names a person survives pseudonymisation.
          const projection = JSON.stringify(facts);
          expect(projection).not.toMatch(/Patient\/p\d|147720425367411|247042A12345678/);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
