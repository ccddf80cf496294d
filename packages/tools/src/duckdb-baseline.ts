import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ToolsError } from './errors.js';
import { timeZoneOfFiness } from './finess.js';
import {
  PROFILE_EVENEMENT,
  PROFILE_PROJET_PERSONNALISE,
  PROFILE_SEJOUR,
  SYSTEM_EVENEMENT,
  SYSTEM_FINESS,
  SYSTEM_IDNST,
  SYSTEM_INS_NIA,
  SYSTEM_INS_NIR,
  SYSTEM_PROJET_PERSONNALISE,
  SYSTEM_SEJOUR,
  SYSTEM_USAGE_EVENT,
} from './fhir-vocabulary.js';
import { minusMonths } from './local-time.js';

/**
 * The PEER baseline: the five mandatory indicators (indicators.md) computed by DuckDB with SQL over the
 * NDJSON files, to check the engine's numerators and denominators and to compare its speed.
 *
 * Scope: what the generator produces (TDDUI-profiled or identified séjours, events, projets personnalisés;
 * `Type/id` references; date-only `YYYY-MM-DD` or instants with offset; usage events attributed through
 * `agent[].who`). Persons are the connected components of Patient links and shared INS, computed in JS
 * (a union-find); every count is SQL.
 */

/**
 * The indicators the baseline computes, written here on purpose (a peer implementation does not read the
 * engine's registry): duckdb-baseline.test.ts checks they are the SDK registry's rates, in its order.
 */
export const BASELINE_INDICATOR_IDS = [
  'taux-dossiers-actifs',
  'taux-projet-personnalise',
  'taux-evenement-agenda',
  'taux-mssante',
  'taux-dmp',
] as const;
export type BaselineIndicatorId = (typeof BASELINE_INDICATOR_IDS)[number];

export interface BaselineCounts {
  numerator: number;
  denominator: number;
}

export interface BaselineEstablishment {
  finess: string;
  timezone: string;
  period: { start: string; end: string };
  indicators: Record<BaselineIndicatorId, BaselineCounts>;
}

export interface BaselineResult {
  measureDate: string;
  establishments: BaselineEstablishment[];
  persons: number;
  patients: number;
}

export interface BaselineOptions {
  /** indicators.md `countCancelledEvents` (default true). */
  countCancelledEvents?: boolean | undefined;
}

const INS_TEST_SYSTEMS = ['urn:oid:1.2.250.1.213.1.4.10', 'urn:oid:1.2.250.1.213.1.4.11'];
const MERGING_LINK_TYPES = ['replaced-by', 'replaces', 'seealso'];
const OLD_PROFILE_PROJET_PERSONNALISE = PROFILE_PROJET_PERSONNALISE.replace(
  'projet-personnalise',
  'projet-perso',
);

const REF = 'STRUCT(reference VARCHAR)';
const META = 'STRUCT(lastUpdated VARCHAR, profile VARCHAR[])';
const PERIOD = 'STRUCT("start" VARCHAR, "end" VARCHAR)';
const IDENTIFIER =
  'STRUCT(system VARCHAR, "value" VARCHAR, "type" STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[]))[]';

/** Explicit columns per resource type: only the fields the rules read (the rest of each line is skipped). */
const COLUMNS: Record<string, Record<string, string>> = {
  Organization: { id: 'VARCHAR', identifier: IDENTIFIER },
  Patient: {
    id: 'VARCHAR',
    meta: META,
    identifier: IDENTIFIER,
    link: `STRUCT(other ${REF}, "type" VARCHAR)[]`,
  },
  Encounter: {
    id: 'VARCHAR',
    meta: META,
    identifier: IDENTIFIER,
    status: 'VARCHAR',
    subject: REF,
    period: PERIOD,
    serviceProvider: REF,
    partOf: REF,
  },
  EpisodeOfCare: {
    id: 'VARCHAR',
    meta: META,
    status: 'VARCHAR',
    patient: REF,
    managingOrganization: REF,
    period: PERIOD,
  },
  Appointment: {
    id: 'VARCHAR',
    meta: META,
    status: 'VARCHAR',
    start: 'VARCHAR',
    participant: `STRUCT(actor ${REF})[]`,
  },
  CarePlan: {
    id: 'VARCHAR',
    meta: META,
    identifier: IDENTIFIER,
    category: 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])[]',
    status: 'VARCHAR',
    subject: REF,
    period: PERIOD,
    created: 'VARCHAR',
  },
  AuditEvent: {
    id: 'VARCHAR',
    meta: META,
    type: 'STRUCT(system VARCHAR, code VARCHAR)',
    action: 'VARCHAR',
    recorded: 'VARCHAR',
    outcome: 'VARCHAR',
    agent: `STRUCT(who ${REF})[]`,
    entity: `STRUCT(what ${REF})[]`,
  },
};

/** A DuckDB value read back as text (ids, FINESS, INS keys). */
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const sql = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** Lists `<Type>.<n>.ndjson` (or `<Type>.ndjson`) files of a directory, grouped by resource type. */
export async function listNdjsonByType(dir: string): Promise<Map<string, string[]>> {
  const byType = new Map<string, string[]>();
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new ToolsError('io', `cannot read input directory ${dir}`, { cause });
  }
  for (const name of names) {
    const match = /^([A-Z][A-Za-z]+)(?:\.\d+)?\.ndjson$/.exec(name);
    if (match?.[1] === undefined) continue;
    const list = byType.get(match[1]) ?? [];
    list.push(join(dir, name));
    byType.set(match[1], list);
  }
  return byType;
}

async function loadTable(
  connection: DuckDBConnection,
  type: string,
  files: readonly string[] | undefined,
): Promise<void> {
  const columns = COLUMNS[type];
  if (columns === undefined) return;
  const columnSpec = `{${Object.entries(columns)
    .map(([name, t]) => `${sql(name)}: ${sql(t)}`)
    .join(', ')}}`;
  if (files === undefined || files.length === 0) {
    const ddl = Object.entries(columns)
      .map(([name, t]) => `"${name}" ${t}`)
      .join(', ');
    await connection.run(`CREATE TABLE "${type}" (${ddl})`);
    return;
  }
  await connection.run(
    `CREATE TABLE "${type}" AS SELECT * FROM read_ndjson([${files.map(sql).join(', ')}], columns = ${columnSpec}, format = 'newline_delimited')`,
  );
}

/** Offset of `timeZone` at `epochMs`, through Intl (independent of the generator's own time arithmetic). */
function zoneOffsetMs(timeZone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - epochMs
  );
}

/** The instant of local midnight starting `date` in `timeZone`. */
export function localMidnightMs(date: string, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  let instant = wall - zoneOffsetMs(timeZone, wall);
  instant = wall - zoneOffsetMs(timeZone, instant);
  return instant;
}

function previousDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = next;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

/**
 * Computes the five indicators with DuckDB over the NDJSON files of `inputDir` for measurement date
 * `measureDate` (`YYYY-MM-DD`). Returns exact numerators and denominators per ESSMS, sorted by FINESS.
 */
export async function computeBaseline(
  inputDir: string,
  measureDate: string,
  options: BaselineOptions = {},
): Promise<BaselineResult> {
  const files = await listNdjsonByType(resolve(inputDir));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await computeWith(connection, files, measureDate, options.countCancelledEvents ?? true);
  } catch (cause) {
    if (cause instanceof ToolsError) throw cause;
    throw new ToolsError(
      'baseline-failed',
      `DuckDB baseline failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function computeWith(
  connection: DuckDBConnection,
  files: Map<string, string[]>,
  measureDate: string,
  countCancelledEvents: boolean,
): Promise<BaselineResult> {
  for (const type of Object.keys(COLUMNS)) await loadTable(connection, type, files.get(type));

  // Typed helpers: a FHIR date-only value becomes a DATE (compared with local dates), an instant an epoch ms.
  await connection.run(`CREATE MACRO as_date(v) AS CASE WHEN length(v) = 10 THEN TRY_CAST(v AS DATE) END`);
  await connection.run(
    `CREATE MACRO as_ms(v) AS CASE WHEN length(v) > 10 THEN epoch_ms(TRY_CAST(v AS TIMESTAMPTZ)) END`,
  );
  await connection.run(
    `CREATE MACRO ref_id(r, t) AS CASE WHEN starts_with(r, t || '/') THEN substr(r, length(t) + 2) END`,
  );

  // Establishments: FINESS géographique (FINEG), else idNatSt `1` + FINESS.
  const orgs = await connection.runAndReadAll(`
    SELECT id,
      list_filter(identifier, x -> x.system = ${sql(SYSTEM_FINESS)} AND list_contains(list_transform(x."type".coding, c -> c.code), 'FINEG'))[1]."value" AS fineg,
      list_filter(identifier, x -> x.system = ${sql(SYSTEM_IDNST)})[1]."value" AS idnst,
      len(list_filter(identifier, x -> x.system = ${sql(SYSTEM_FINESS)} AND list_contains(list_transform(x."type".coding, c -> c.code), 'FINEJ'))) > 0 AS is_og
    FROM "Organization"`);
  const providers = new Set(
    (
      await connection.runAndReadAll(`
        SELECT DISTINCT ref_id(serviceProvider.reference, 'Organization') AS id FROM "Encounter" WHERE serviceProvider IS NOT NULL
        UNION SELECT DISTINCT ref_id(managingOrganization.reference, 'Organization') FROM "EpisodeOfCare"`)
    )
      .getRowObjectsJS()
      .map((r) => text(r['id'])),
  );
  const essmsRows: string[] = [];
  const reported = new Map<string, BaselineEstablishment>();
  const pStart = minusMonths(measureDate, 3);
  for (const row of orgs.getRowObjectsJS()) {
    const id = text(row['id']);
    const fineg = typeof row['fineg'] === 'string' ? row['fineg'] : undefined;
    const idnst =
      typeof row['idnst'] === 'string' && row['idnst'].startsWith('1') ? row['idnst'].slice(1) : undefined;
    const finess = fineg ?? (providers.has(id) && row['is_og'] !== true ? idnst : undefined);
    if (finess === undefined || !/^(\d{2}|2A|2B)\d{7}$/.test(finess)) continue;
    const timezone = timeZoneOfFiness(finess);
    const startMs = localMidnightMs(pStart, timezone);
    const endMs = localMidnightMs(measureDate, timezone);
    essmsRows.push(
      `(${sql(id)}, ${sql(finess)}, DATE ${sql(pStart)}, DATE ${sql(measureDate)}, ${startMs}, ${endMs})`,
    );
    const zero = (): BaselineCounts => ({ numerator: 0, denominator: 0 });
    reported.set(finess, {
      finess,
      timezone,
      period: { start: pStart, end: previousDay(measureDate) },
      indicators: {
        'taux-dossiers-actifs': zero(),
        'taux-projet-personnalise': zero(),
        'taux-evenement-agenda': zero(),
        'taux-mssante': zero(),
        'taux-dmp': zero(),
      },
    });
  }
  await connection.run(
    `CREATE TABLE essms (org_id VARCHAR, finess VARCHAR, p_start_d DATE, p_end_d DATE, p_start_ms BIGINT, p_end_ms BIGINT)`,
  );
  if (essmsRows.length > 0) await connection.run(`INSERT INTO essms VALUES ${essmsRows.join(', ')}`);

  // Persons: INS (typed INS-NIR, or INS-NIA / test systems) and Patient.link (not `refer`), as a union-find.
  const patients = (
    await connection.runAndReadAll(`
      SELECT id,
        list_transform(list_filter(identifier, x ->
          (x.system = ${sql(SYSTEM_INS_NIR)} AND list_contains(list_transform(x."type".coding, c -> c.code), 'INS-NIR'))
          OR x.system IN (${[SYSTEM_INS_NIA, ...INS_TEST_SYSTEMS].map(sql).join(', ')})), x -> x.system || '|' || x."value") AS ins,
        list_transform(list_filter(link, l -> l."type" IN (${MERGING_LINK_TYPES.map(sql).join(', ')})), l -> ref_id(l.other.reference, 'Patient')) AS links
      FROM "Patient"`)
  ).getRowObjectsJS();
  const persons = new UnionFind();
  const patientIds = new Set<string>();
  for (const row of patients) patientIds.add(text(row['id']));
  for (const row of patients) {
    const id = text(row['id']);
    persons.find(id);
    for (const ins of (row['ins'] as unknown[] | null) ?? []) persons.union(id, `ins:${String(ins)}`);
    for (const other of (row['links'] as unknown[] | null) ?? []) {
      if (typeof other === 'string' && patientIds.has(other)) persons.union(id, other);
    }
  }
  await connection.run(`CREATE TABLE person_map (patient_id VARCHAR, person_id VARCHAR)`);
  const appender = await connection.createAppender('person_map');
  const personIds = new Set<string>();
  for (const id of patientIds) {
    const person = persons.find(id);
    personIds.add(person);
    appender.appendVarchar(id);
    appender.appendVarchar(person);
    appender.endRow();
  }
  appender.closeSync();

  const cancelledFilter = countCancelledEvents ? '' : `AND status <> 'cancelled'`;
  const counts = await connection.runAndReadAll(`
    WITH
    enc AS (
      SELECT *,
        coalesce(list_contains(meta.profile, ${sql(PROFILE_EVENEMENT)}), false)
          OR coalesce(list_contains(list_transform(identifier, x -> x.system), ${sql(SYSTEM_EVENEMENT)}), false)
          OR partOf.reference IS NOT NULL AS is_event
      FROM "Encounter"),
    sejour AS (
      SELECT pm.person_id, ref_id(serviceProvider.reference, 'Organization') AS org_id, status,
        period."start" AS s, period."end" AS e
      FROM enc JOIN person_map pm ON pm.patient_id = ref_id(subject.reference, 'Patient')
      WHERE NOT is_event AND (coalesce(list_contains(meta.profile, ${sql(PROFILE_SEJOUR)}), false)
        OR coalesce(list_contains(list_transform(identifier, x -> x.system), ${sql(SYSTEM_SEJOUR)}), false)
        OR serviceProvider.reference IS NOT NULL)
        AND status NOT IN ('planned', 'cancelled', 'entered-in-error')
      UNION ALL
      SELECT pm.person_id, ref_id(managingOrganization.reference, 'Organization'), status, period."start", period."end"
      FROM "EpisodeOfCare" JOIN person_map pm ON pm.patient_id = ref_id(patient.reference, 'Patient')
      WHERE status NOT IN ('planned', 'cancelled', 'entered-in-error', 'waitlist')),
    sejour_t AS (
      SELECT person_id, org_id, as_date(s) AS s_d, as_ms(s) AS s_ms, as_date(e) AS e_d, as_ms(e) AS e_ms FROM sejour),
    accompanied AS (
      SELECT DISTINCT es.finess, st.person_id
      FROM sejour_t st JOIN essms es ON es.org_id = st.org_id
      WHERE (st.s_d IS NOT NULL OR st.s_ms IS NOT NULL)
        AND NOT coalesce(st.e_d < st.s_d OR st.e_ms < st.s_ms, false)
        AND CASE WHEN st.s_d IS NOT NULL THEN st.s_d < es.p_end_d ELSE st.s_ms < es.p_end_ms END
        AND (st.e_d IS NULL AND st.e_ms IS NULL
          OR CASE WHEN st.e_d IS NOT NULL THEN st.e_d >= es.p_start_d ELSE st.e_ms >= es.p_start_ms END)),
    acc_p AS (
      SELECT a.*, es.p_start_d, es.p_end_d, es.p_start_ms, es.p_end_ms FROM accompanied a JOIN essms es USING (finess)),
    touched AS (
      SELECT ref_id(subject.reference, 'Patient') AS patient_id, meta.lastUpdated AS t FROM "Encounter"
      UNION ALL SELECT ref_id(patient.reference, 'Patient'), meta.lastUpdated FROM "EpisodeOfCare"
      UNION ALL SELECT ref_id(subject.reference, 'Patient'), meta.lastUpdated FROM "CarePlan"
      UNION ALL SELECT ref_id(p.actor.reference, 'Patient'), meta.lastUpdated FROM (SELECT unnest(participant) AS p, meta FROM "Appointment")
      UNION ALL SELECT id, meta.lastUpdated FROM "Patient"
      UNION ALL SELECT ref_id(x.what.reference, 'Patient'), recorded
        FROM (SELECT unnest(entity) AS x, recorded FROM "AuditEvent" WHERE action IN ('C', 'U', 'D') AND outcome = '0')),
    updates AS (
      SELECT pm.person_id, as_date(t) AS t_d, as_ms(t) AS t_ms FROM touched JOIN person_map pm ON pm.patient_id = touched.patient_id),
    active AS (
      SELECT DISTINCT a.finess, a.person_id, a.p_start_d, a.p_end_d, a.p_start_ms, a.p_end_ms
      FROM acc_p a JOIN updates u ON u.person_id = a.person_id
      WHERE CASE WHEN u.t_d IS NOT NULL THEN u.t_d >= a.p_start_d AND u.t_d < a.p_end_d
                 ELSE u.t_ms >= a.p_start_ms AND u.t_ms < a.p_end_ms END),
    projets AS (
      SELECT pm.person_id, as_date(period."end") AS e_d, as_ms(period."end") AS e_ms, as_date(created) AS c_d, as_ms(created) AS c_ms
      FROM "CarePlan" JOIN person_map pm ON pm.patient_id = ref_id(subject.reference, 'Patient')
      WHERE status IN ('draft', 'active')
        AND (coalesce(list_has_any(meta.profile, [${sql(PROFILE_PROJET_PERSONNALISE)}, ${sql(OLD_PROFILE_PROJET_PERSONNALISE)}]), false)
          OR coalesce(list_contains(list_transform(identifier, x -> x.system), ${sql(SYSTEM_PROJET_PERSONNALISE)}), false)
          OR coalesce(len(list_filter(category, c -> len(list_filter(c.coding, k -> k.system = 'https://smt.esante.gouv.fr/fhir/CodeSystem/tre-r390-type-projet-personnalise')) > 0)) > 0, false))),
    with_projet AS (
      SELECT DISTINCT a.finess, a.person_id FROM active a JOIN projets p ON p.person_id = a.person_id
      WHERE (p.e_d IS NULL AND p.e_ms IS NULL OR CASE WHEN p.e_d IS NOT NULL THEN p.e_d >= a.p_start_d ELSE p.e_ms >= a.p_start_ms END)
        AND (p.c_d IS NULL AND p.c_ms IS NULL OR CASE WHEN p.c_d IS NOT NULL THEN p.c_d < a.p_end_d ELSE p.c_ms < a.p_end_ms END)),
    events AS (
      SELECT pm.person_id, as_date(period."start") AS s_d, as_ms(period."start") AS s_ms
      FROM enc JOIN person_map pm ON pm.patient_id = ref_id(subject.reference, 'Patient')
      WHERE is_event AND status <> 'entered-in-error' ${cancelledFilter}
      UNION ALL
      SELECT pm.person_id, as_date(start), as_ms(start)
      FROM (SELECT unnest(participant) AS p, start, status FROM "Appointment"
            WHERE status <> 'entered-in-error' ${cancelledFilter}) ap
      JOIN person_map pm ON pm.patient_id = ref_id(ap.p.actor.reference, 'Patient')),
    with_event AS (
      SELECT DISTINCT a.finess, a.person_id FROM active a JOIN events ev ON ev.person_id = a.person_id
      WHERE CASE WHEN ev.s_d IS NOT NULL THEN ev.s_d >= a.p_start_d AND ev.s_d < a.p_end_d
                 ELSE ev.s_ms >= a.p_start_ms AND ev.s_ms < a.p_end_ms END),
    usage AS (
      SELECT type.code AS code, as_ms(recorded) AS r_ms,
        ref_id(list_filter(agent, g -> starts_with(g.who.reference, 'Organization/'))[1].who.reference, 'Organization') AS org_id,
        ref_id(list_filter(entity, x -> starts_with(x.what.reference, 'Patient/'))[1].what.reference, 'Patient') AS patient_id
      FROM "AuditEvent" WHERE type.system = ${sql(SYSTEM_USAGE_EVENT)} AND outcome = '0'),
    usage_in_p AS (
      SELECT es.finess, u.code, u.patient_id FROM usage u JOIN essms es ON es.org_id = u.org_id
      WHERE u.r_ms >= es.p_start_ms AND u.r_ms < es.p_end_ms),
    mssante AS (SELECT finess, count(*) AS n FROM usage_in_p WHERE code = 'mssante-message-sent' GROUP BY finess),
    dmp AS (
      SELECT u.finess, count(DISTINCT pm.person_id) AS n FROM usage_in_p u
      JOIN person_map pm ON pm.patient_id = u.patient_id
      JOIN accompanied a ON a.finess = u.finess AND a.person_id = pm.person_id
      WHERE u.code = 'dmp-document-fed' GROUP BY u.finess),
    per AS (
      SELECT es.finess,
        (SELECT count(*) FROM accompanied x WHERE x.finess = es.finess) AS accompanied,
        (SELECT count(*) FROM active x WHERE x.finess = es.finess) AS active,
        (SELECT count(*) FROM with_projet x WHERE x.finess = es.finess) AS with_projet,
        (SELECT count(*) FROM with_event x WHERE x.finess = es.finess) AS with_event,
        coalesce((SELECT n FROM mssante x WHERE x.finess = es.finess), 0) AS mssante,
        coalesce((SELECT n FROM dmp x WHERE x.finess = es.finess), 0) AS dmp
      FROM essms es)
    SELECT * FROM per ORDER BY finess`);

  for (const row of counts.getRowObjectsJS()) {
    const target = reported.get(text(row['finess']));
    if (target === undefined) continue;
    const n = (key: string): number => Number(row[key] ?? 0);
    const i = target.indicators;
    i['taux-dossiers-actifs'] = { numerator: n('active'), denominator: n('accompanied') };
    i['taux-projet-personnalise'] = { numerator: n('with_projet'), denominator: n('active') };
    i['taux-evenement-agenda'] = { numerator: n('with_event'), denominator: n('active') };
    i['taux-mssante'] = { numerator: n('mssante'), denominator: n('accompanied') };
    i['taux-dmp'] = { numerator: n('dmp'), denominator: n('accompanied') };
  }
  return {
    measureDate,
    establishments: [...reported.values()].sort((a, b) =>
      a.finess < b.finess ? -1 : a.finess > b.finess ? 1 : 0,
    ),
    persons: personIds.size,
    patients: patientIds.size,
  };
}
