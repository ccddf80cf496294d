import fc from 'fast-check';
import {
  appointment,
  auditUpdate,
  episodeOfCare,
  evenement,
  FINESS,
  organisation,
  patient,
  projetPersonnalise,
  recordAbout,
  sejour,
  usage,
  type UsageKind,
} from './builders.js';

/**
 * fast-check arbitraries of small but rule-dense DUI extracts: a few ESSMS in several time zones, persons with
 * shared INS and links, séjours, events, projets personnalisés and usage events whose times cluster around
 * the boundaries of P for D = 2024-04-01 (and its DST change), in every notation FHIR allows.
 */

const ESSMS_POOL = [
  { id: 'paris', finess: FINESS.paris },
  { id: 'paris2', finess: FINESS.paris2 },
  { id: 'reunion', finess: FINESS.reunion },
  { id: 'guadeloupe', finess: FINESS.guadeloupe },
  { id: 'tddui', finess: FINESS.tddui },
] as const;
const ORG_IDS = [...ESSMS_POOL.map((e) => e.id), 'og', 'missing-org'];
const PERSON_IDS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
const INS_POOL = ['147720425367411', '247042A12345678', '190017512345678'];

/** Times near the boundaries (P.start, P.end in UTC+4, UTC+1/+2, UTC−4, the years) and ordinary ones. */
const NOTABLE_TIMES = [
  '2023-12-31',
  '2024-01-01',
  '2024-03-31',
  '2024-04-01',
  '2024-03',
  '2024-01',
  '2023-12',
  '2024',
  '2023-12-31T20:30:00Z',
  '2023-12-31T22:59:59Z',
  '2023-12-31T23:00:00Z',
  '2024-03-31T19:59:59Z',
  '2024-03-31T20:00:00Z',
  '2024-03-31T21:59:59Z',
  '2024-03-31T22:00:00Z',
  '2024-04-01T03:59:59Z',
  '2024-04-01T04:00:00Z',
  '2024-03-31T02:30:00',
  '2024-03-31T23:59:59.999+02:00',
  '2023-06-01',
  '2024-06-15T10:00:00+02:00',
  // Around a P that straddles two years (D = 2024-01-15: P from 2023-10-15, the year is 2024).
  '2023-10-15',
  '2023-11-20T09:00:00+01:00',
  '2023-12-20',
  '2024-01-10T09:00:00+01:00',
  '2024-01-14',
  '2024-02-01',
];

export const fhirTime: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NOTABLE_TIMES),
  fc
    .record({
      day: fc.integer({ min: Date.UTC(2023, 9, 1), max: Date.UTC(2024, 5, 30) }),
      offset: fc.constantFrom('Z', '+01:00', '+02:00', '+04:00', '-04:00', '', 'date'),
    })
    .map(({ day, offset }) => {
      const iso = new Date(day).toISOString();
      if (offset === 'date') return iso.slice(0, 10);
      return `${iso.slice(0, 19)}${offset}`;
    }),
);

const personId = fc.constantFrom(...PERSON_IDS);
const orgId = fc.constantFrom(...ORG_IDS);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const orgs: fc.Arbitrary<Record<string, unknown>[]> = fc
  .subarray([...ESSMS_POOL], { minLength: 1 })
  .chain((chosen) =>
    fc.tuple(
      fc.constant(chosen),
      fc.array(fc.boolean(), { minLength: chosen.length, maxLength: chosen.length }),
      fc.boolean(),
    ),
  )
  .map(([chosen, underOg, idNatSt]) => [
    organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
    ...chosen.map((e, i) =>
      organisation({
        id: e.id,
        finess: e.finess,
        type: idNatSt && i === 0 ? 'idNatSt' : 'FINEG',
        ...(underOg[i] ? { partOf: 'og' } : {}),
      }),
    ),
  ]);

const patients: fc.Arbitrary<Record<string, unknown>[]> = fc
  .uniqueArray(
    fc.record({
      id: personId,
      ins: maybe(fc.constantFrom(...INS_POOL)),
      link: maybe(
        fc.record({
          other: personId,
          type: fc.constantFrom<'replaced-by' | 'replaces' | 'seealso' | 'refer'>(
            'replaced-by',
            'replaces',
            'seealso',
            'refer',
          ),
        }),
      ),
      lastUpdated: maybe(fhirTime),
    }),
    { selector: (p) => p.id, maxLength: PERSON_IDS.length },
  )
  .map((list) =>
    list.map((p) =>
      patient({
        id: p.id,
        ...(p.ins === undefined ? {} : { ins: p.ins }),
        ...(p.link === undefined ? {} : { links: [p.link] }),
        ...(p.lastUpdated === undefined ? {} : { lastUpdated: p.lastUpdated }),
      }),
    ),
  );

const sejours = fc
  .array(
    fc.record({
      patient: personId,
      org: orgId,
      start: maybe(fhirTime),
      end: maybe(fhirTime),
      status: fc.constantFrom(
        'in-progress',
        'finished',
        'planned',
        'cancelled',
        'entered-in-error',
        'waitlist',
        'active',
      ),
      via: fc.constantFrom<'profile' | 'identifier' | 'fallback' | 'episode'>(
        'profile',
        'identifier',
        'fallback',
        'episode',
      ),
      lastUpdated: maybe(fhirTime),
    }),
    { maxLength: 12 },
  )
  .map((list) =>
    list.map((s, i) =>
      s.via === 'episode'
        ? episodeOfCare({
            id: `eoc${i}`,
            patient: s.patient,
            org: s.org,
            status: s.status,
            ...(s.start ? { start: s.start } : {}),
            ...(s.end ? { end: s.end } : {}),
          })
        : sejour({
            id: `sej${i}`,
            patient: s.patient,
            org: s.org,
            status: s.status,
            via: s.via,
            ...(s.start ? { start: s.start } : {}),
            ...(s.end ? { end: s.end } : {}),
            ...(s.lastUpdated ? { lastUpdated: s.lastUpdated } : {}),
          }),
    ),
  );

const events = fc
  .array(
    fc.record({
      patient: personId,
      start: fhirTime,
      status: fc.constantFrom('planned', 'finished', 'cancelled', 'entered-in-error', 'booked'),
      via: fc.constantFrom<'profile' | 'identifier' | 'partOf' | 'appointment'>(
        'profile',
        'identifier',
        'partOf',
        'appointment',
      ),
      partOf: fc.nat({ max: 12 }),
    }),
    { maxLength: 10 },
  )
  .map((list) =>
    list.map((e, i) =>
      e.via === 'appointment'
        ? appointment({ id: `app${i}`, patient: e.patient, start: e.start, status: e.status })
        : evenement({
            id: `ev${i}`,
            patient: e.patient,
            start: e.start,
            status: e.status,
            via: e.via,
            partOf: `sej${e.partOf}`,
          }),
    ),
  );

const projets = fc
  .array(
    fc.record({
      patient: personId,
      status: fc.constantFrom('draft', 'active', 'on-hold', 'completed', 'revoked', 'entered-in-error'),
      created: maybe(fhirTime),
      end: maybe(fhirTime),
      via: fc.constantFrom<'profile' | 'legacy' | 'identifier' | 'category' | 'none'>(
        'profile',
        'legacy',
        'identifier',
        'category',
        'none',
      ),
    }),
    { maxLength: 8 },
  )
  .map((list) =>
    list.map((p, i) =>
      projetPersonnalise({
        id: `pp${i}`,
        patient: p.patient,
        status: p.status,
        via: p.via,
        ...(p.created ? { created: p.created } : {}),
        ...(p.end ? { end: p.end } : {}),
      }),
    ),
  );

const usages = fc
  .array(
    fc.record({
      kind: fc.constantFrom<UsageKind>(
        'mssante-message-sent',
        'dmp-document-fed',
        'e-prescription-imported',
        'e-parcours-exchange',
      ),
      recorded: fhirTime,
      org: maybe(fc.oneof(orgId, fc.constantFrom(...ESSMS_POOL.map((e) => ({ finess: e.finess }))))),
      patient: maybe(personId),
      outcome: fc.constantFrom('0', '0', '0', '4', '8'),
    }),
    { maxLength: 14 },
  )
  .map((list) =>
    list.map((u, i) =>
      usage({
        id: `use${i}`,
        kind: u.kind,
        recorded: u.recorded,
        outcome: u.outcome,
        ...(u.org === undefined ? {} : { org: u.org }),
        ...(u.patient === undefined ? {} : { patient: u.patient }),
      }),
    ),
  );

const updates = fc
  .array(
    fc.record({
      patient: personId,
      at: fhirTime,
      kind: fc.constantFrom<'C' | 'R' | 'U' | 'D' | 'observation'>('C', 'R', 'U', 'D', 'observation'),
      outcome: fc.constantFrom('0', '0', '4'),
    }),
    { maxLength: 8 },
  )
  .map((list) =>
    list.map((u, i) =>
      u.kind === 'observation'
        ? recordAbout({ resourceType: 'Observation', id: `obs${i}`, patient: u.patient, lastUpdated: u.at })
        : auditUpdate({
            id: `ae${i}`,
            patient: u.patient,
            recorded: u.at,
            action: u.kind,
            outcome: u.outcome,
          }),
    ),
  );

/** A whole DUI extract, as a flat list of resources. */
export const duiExtract: fc.Arbitrary<Record<string, unknown>[]> = fc
  .tuple(orgs, patients, sejours, events, projets, usages, updates)
  .map((parts) => parts.flat());

/**
 * Persons of one or two ESSMS whose séjours start and end around a P that straddles two calendar years
 * (D = 2024-01-15: P = 2023-10-15 … 2024-01-14, the year of its last day 2024), with updates, events,
 * projets personnalisés and DMP feeds in and around P: where `denominatorScope: calendar-year` and
 * `period` disagree on who is accompanied (issue 9 §1).
 */
const STRADDLING_TIMES = [
  '2023-09-01',
  '2023-10-14',
  '2023-10-15',
  '2023-11-20T09:00:00+01:00',
  '2023-12-20',
  '2023-12-31',
  '2024-01-01',
  '2024-01-10T09:00:00+01:00',
  '2024-01-14',
  '2024-01-15',
  '2024-02-01',
  '2024-03-15T09:00:00+01:00',
];
const straddlingTime = fc.constantFrom(...STRADDLING_TIMES);

export const straddlingExtract: fc.Arbitrary<Record<string, unknown>[]> = fc
  .array(
    fc.record({
      start: straddlingTime,
      end: maybe(straddlingTime),
      org: fc.constantFrom('paris', 'paris2'),
      lastUpdated: maybe(straddlingTime),
      event: maybe(straddlingTime),
      pp: fc.boolean(),
      dmp: maybe(straddlingTime),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((persons) => [
    organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
    organisation({ id: 'paris', finess: FINESS.paris, partOf: 'og' }),
    organisation({ id: 'paris2', finess: FINESS.paris2, partOf: 'og' }),
    ...persons.flatMap((p, i) => [
      patient({ id: `p${i}`, ...(p.lastUpdated === undefined ? {} : { lastUpdated: p.lastUpdated }) }),
      sejour({
        id: `sej${i}`,
        patient: `p${i}`,
        org: p.org,
        start: p.start,
        ...(p.end === undefined ? {} : { end: p.end }),
      }),
      ...(p.event === undefined ? [] : [evenement({ id: `ev${i}`, patient: `p${i}`, start: p.event })]),
      ...(p.pp ? [projetPersonnalise({ id: `pp${i}`, patient: `p${i}`, status: 'active' })] : []),
      ...(p.dmp === undefined
        ? []
        : [
            usage({ id: `dmp${i}`, kind: 'dmp-document-fed', recorded: p.dmp, org: p.org, patient: `p${i}` }),
          ]),
    ]),
  ]);

/** Every path (object keys and array indices) inside a JSON value. */
export function jsonPaths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [k, v] of entries) {
      const path = [...prefix, k];
      out.push(path);
      jsonPaths(v, path, out);
    }
  }
  return out;
}

/** A deep copy of `value` with the node at `path` deleted (`replacement` undefined) or replaced. */
export function mutateAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value);
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else {
    node[last] = replacement;
  }
  return copy;
}

/** Values a mutation puts in place of a field: wrong types, odd strings, nested junk. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom(
    '',
    '2024-02-30',
    '2024-13',
    'Patient/',
    '#x',
    'urn:uuid:',
    '?',
    'Organization?identifier=|',
    '../..',
    '__proto__',
    'constructor',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string(),
);
