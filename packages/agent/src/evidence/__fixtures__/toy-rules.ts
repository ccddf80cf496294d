/**
 * A deliberately small implementation of `EvidenceRules` for the evidence tests, so that they exercise
 * sealing, tampering and recomputation without depending on the SDK's rules. Facts:
 *   { k: 'sejour', finess, subject }           a person accompanied by an ESSMS in P
 *   { k: 'update' | 'pp' | 'event', subject }  the person's dossier was updated / has a PP / an event
 *   { k: 'usage', kind: 'dmp' | 'mssante', finess, subject }
 * Counting follows the shape of indicators.md (active dossiers, then PP and events among them).
 */
import type { ComputationLike, EvidenceRules, Fact, RateResultLike, ResultsLike } from '../recompute.js';

export const TOY_ORGANISATION = '970408589';

/**
 * A rate as the SDK's `RateResult` holds it (one decimal, met at or above the target). Written here on
 * purpose: the toy depends on no SDK code, and the SDK does not export its rate arithmetic
 * (`indicators/rates.ts`).
 */
function rate(numerator: number, denominator: number, target: number): RateResultLike {
  const exact = denominator === 0 ? null : (100 * numerator) / denominator;
  return {
    numerator,
    denominator,
    rate: exact === null ? null : Math.round(exact * 10) / 10,
    target,
    met: exact !== null && exact >= target,
  };
}

export function toyCompute(
  facts: Iterable<Fact>,
  options: Readonly<Record<string, unknown>>,
): ComputationLike {
  const measureDate = String(options['measureDate']);
  const accompanied = new Map<string, Set<string>>();
  const updated = new Set<string>();
  const withPp = new Set<string>();
  const withEvent = new Set<string>();
  const dmp = new Map<string, Set<string>>();
  const mssante = new Map<string, number>();
  for (const fact of facts) {
    const subject = String(fact['subject']);
    const finess = String(fact['finess']);
    switch (fact['k']) {
      case 'sejour':
        accompanied.set(finess, (accompanied.get(finess) ?? new Set()).add(subject));
        break;
      case 'update':
        updated.add(subject);
        break;
      case 'pp':
        withPp.add(subject);
        break;
      case 'event':
        withEvent.add(subject);
        break;
      case 'usage':
        if (fact['kind'] === 'dmp') dmp.set(finess, (dmp.get(finess) ?? new Set()).add(subject));
        else mssante.set(finess, (mssante.get(finess) ?? 0) + 1);
        break;
      default:
        break;
    }
  }
  const subjects: Record<string, Record<string, { denominator: string[]; numerator: string[] }>> = {};
  const establishments = [...accompanied.keys()].sort().map((finess) => {
    const persons = [...(accompanied.get(finess) ?? [])];
    const active = persons.filter((p) => updated.has(p));
    const pp = active.filter((p) => withPp.has(p));
    const events = active.filter((p) => withEvent.has(p));
    const fedDmp = persons.filter((p) => dmp.get(finess)?.has(p) === true);
    subjects[finess] = {
      'taux-dossiers-actifs': { denominator: persons, numerator: active },
      'taux-projet-personnalise': { denominator: active, numerator: pp },
      'taux-evenement-agenda': { denominator: active, numerator: events },
      'taux-dmp': { denominator: persons, numerator: fedDmp },
    };
    const indicators = {
      'taux-dossiers-actifs': rate(active.length, persons.length, 90),
      'taux-projet-personnalise': rate(pp.length, active.length, 90),
      'taux-evenement-agenda': rate(events.length, active.length, 90),
      'taux-mssante': rate(mssante.get(finess) ?? 0, persons.length, 70),
      'taux-dmp': rate(fedDmp.length, persons.length, 70),
      'e-prescriptions-importees': { total: 0, byMonth: { '2024-01': 0, '2024-02': 0, '2024-03': 0 } },
      'echanges-e-parcours': { total: 0, sinceProjectStart: null },
    };
    const vaReady = [
      indicators['taux-dossiers-actifs'],
      indicators['taux-projet-personnalise'],
      indicators['taux-evenement-agenda'],
    ].every((r) => r.numerator > 0);
    return {
      finess,
      organisation: TOY_ORGANISATION,
      name: `ESSMS ${finess}`,
      timezone: 'Indian/Reunion',
      period: { start: '2024-01-01', end: '2024-03-31' },
      indicators,
      dossiersActifs: active.length,
      fileActive: persons.length,
      vaReady,
      vaReason: vaReady ? null : 'un indicateur DUI est nul',
    };
  });
  const sum = (
    id:
      | 'taux-dossiers-actifs'
      | 'taux-projet-personnalise'
      | 'taux-evenement-agenda'
      | 'taux-mssante'
      | 'taux-dmp',
    target: number,
  ): RateResultLike =>
    rate(
      establishments.reduce((n, e) => n + e.indicators[id].numerator, 0),
      establishments.reduce((n, e) => n + e.indicators[id].denominator, 0),
      target,
    );
  const results: ResultsLike = {
    measureDate,
    denominatorScope: 'period',
    establishments,
    organisations: [
      {
        finess: TOY_ORGANISATION,
        name: 'Association Toy',
        establishments: establishments.map((e) => e.finess),
        indicators: {
          'taux-dossiers-actifs': sum('taux-dossiers-actifs', 90),
          'taux-projet-personnalise': sum('taux-projet-personnalise', 90),
          'taux-evenement-agenda': sum('taux-evenement-agenda', 90),
          'taux-mssante': sum('taux-mssante', 70),
          'taux-dmp': sum('taux-dmp', 70),
          'e-prescriptions-importees': { total: 0, byMonth: { '2024-01': 0, '2024-02': 0, '2024-03': 0 } },
          'echanges-e-parcours': { total: 0, sinceProjectStart: null },
        },
        dossiersActifs: establishments.reduce((n, e) => n + e.dossiersActifs, 0),
        fileActive: establishments.reduce((n, e) => n + e.fileActive, 0),
      },
    ],
    dataQuality: { errors: [], warnings: [] },
  };
  return { results, subjects };
}

/** MeasureReports shaped like contract.md §3 (rate indicators only, which is all the toy computes). */
export function toyMeasureReports(results: ResultsLike): unknown[] {
  return results.establishments.flatMap((e) =>
    (
      [
        'taux-dossiers-actifs',
        'taux-projet-personnalise',
        'taux-evenement-agenda',
        'taux-mssante',
        'taux-dmp',
      ] as const
    ).map((id) => {
      const r = e.indicators[id];
      return {
        resourceType: 'MeasureReport',
        status: 'complete',
        type: 'summary',
        measure: `https://esms-numerique.github.io/fhir/Measure/${id}`,
        period: { start: e.period.start, end: e.period.end },
        reporter: { identifier: { system: 'https://finess.esante.gouv.fr', value: e.finess } },
        group: [
          {
            population: [
              { code: { coding: [{ code: 'initial-population' }] }, count: r.denominator },
              { code: { coding: [{ code: 'denominator' }] }, count: r.denominator },
              { code: { coding: [{ code: 'numerator' }] }, count: r.numerator },
            ],
            ...(r.rate === null ? {} : { measureScore: { value: r.numerator / r.denominator } }),
          },
        ],
      };
    }),
  );
}

/** The toy rules as the verifier sees them. */
export const toyRules: EvidenceRules = {
  async recomputeFromProjection(facts, options) {
    const all: Fact[] = [];
    for await (const fact of facts) all.push(fact);
    return toyCompute(all, options);
  },
  toMeasureReports: toyMeasureReports,
};

/** A small population: 970400024 has 12 persons, 970400032 has 5. */
export function toyFacts(variant = 0): Fact[] {
  const facts: Fact[] = [];
  for (let i = 0; i < 12; i += 1) {
    const subject = `p:person-${variant}-${i}`;
    facts.push({ k: 'sejour', finess: '970400024', subject });
    if (i < 11) facts.push({ k: 'update', subject });
    if (i < 10) facts.push({ k: 'pp', subject });
    if (i < 9) facts.push({ k: 'event', subject });
    if (i < 8 + variant) facts.push({ k: 'usage', kind: 'dmp', finess: '970400024', subject });
    facts.push({ k: 'usage', kind: 'mssante', finess: '970400024', subject });
  }
  for (let i = 0; i < 5; i += 1) {
    const subject = `p:other-${variant}-${i}`;
    facts.push({ k: 'sejour', finess: '970400032', subject });
    if (i < 4) facts.push({ k: 'update', subject });
    if (i < 2) facts.push({ k: 'pp', subject });
  }
  return facts;
}
