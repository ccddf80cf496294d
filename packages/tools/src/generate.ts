import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ToolsError } from './errors.js';
import {
  buildEstablishments,
  KIND_SPECS,
  targetResourcesOf,
  type DatasetSize,
  type Essms,
  type OrganismeGestionnaire,
} from './establishments.js';
import {
  GENERATED_RESOURCE_TYPES,
  PROFILE_EVENEMENT,
  PROFILE_ORGANIZATION,
  PROFILE_PATIENT,
  PROFILE_PATIENT_INS,
  PROFILE_PROJET_PERSONNALISE,
  PROFILE_SEJOUR,
  SYSTEM_AUDIT_EVENT_TYPE,
  SYSTEM_EVENEMENT,
  SYSTEM_FINESS,
  SYSTEM_FR_CORE_0203,
  SYSTEM_IDNST,
  SYSTEM_INS_NIR,
  SYSTEM_LOCAL_USAGER,
  SYSTEM_PROJET_PERSONNALISE,
  SYSTEM_RESTFUL_INTERACTION,
  SYSTEM_SEJOUR,
  SYSTEM_USAGE_EVENT,
  SYSTEM_V2_0203,
  SYSTEM_V3_ACT_CODE,
  type GeneratedResourceType,
  type UsageEventCode,
} from './fhir-vocabulary.js';
import {
  DAY_MS,
  dateOfDayIndex,
  dayIndexOf,
  formatLocalInstant,
  localDayIndex,
  localToEpochMs,
} from './local-time.js';
import { CITY_NAMES, FAMILY_NAMES, GIVEN_NAMES_FEMALE, GIVEN_NAMES_MALE } from './names.js';
import { DEFAULT_LINES_PER_FILE, RotatingNdjsonWriter, type WrittenFile } from './ndjson-writer.js';
import { Rng, deriveSeed } from './prng.js';
import type { RecordCounter } from '@esms-numerique/agent/tools-support';

/** Defaults of `pnpm generate` (issue 5). */
export const DEFAULT_SIZE: DatasetSize = 'S';
export const DEFAULT_SEED = 1;
export const DEFAULT_MEASURE_DATE = '2024-04-01';

/** Depth of the generated history before the measurement date. */
const HISTORY_DAYS = 730;
/** Agenda events are kept for the last 15 months (older agendas are usually purged or archived). */
const AGENDA_HISTORY_DAYS = 456;
/** Audit logs and usage logs are kept for one year. */
const LOG_HISTORY_DAYS = 365;
/** The export happens a few days after the measurement date, so some records change after it. */
const EXPORT_DELAY_DAYS = 9;
/** Planned agenda events reach this far beyond the export. */
const PLANNED_HORIZON_DAYS = 60;
const MINUTES_PER_DAY = 1440;
const DAYS_PER_QUARTER = 91.3;
const DAYS_PER_MONTH = 30.4;

export interface GenerateOptions {
  size?: DatasetSize | undefined;
  seed?: number | undefined;
  /** Output directory; written atomically (a temporary sibling renamed at the end). */
  outDir: string;
  measureDate?: string | undefined;
  /** Exact number of persons instead of the size's resource target (tests use a handful). */
  persons?: number | undefined;
  linesPerFile?: number | undefined;
  /** Told of each resource written, by type (the progress display of `pnpm generate`). */
  progress?: RecordCounter | undefined;
}

/** What was written, also saved as `expected-sizes.json`. */
export interface GenerateSummary {
  size: DatasetSize;
  seed: number;
  measureDate: string;
  transactionTime: string;
  persons: number;
  organisations: number;
  establishments: number;
  resources: Record<string, number>;
  total: number;
  files: WrittenFile[];
}

type Resource = Record<string, unknown>;

interface Stay {
  essms: Essms;
  key: string;
  entryDay: number;
  /** Last day of the stay, or `undefined` while it goes on at the export. */
  exitDay: number | undefined;
  useEpisodeOfCare: boolean;
}

interface Clock {
  measureDay: number;
  exportMs: number;
  exportDay: number;
}

/**
 * Generates a synthetic DUI export: NDJSON per resource type as a FHIR Bulk Data export, a
 * `manifest.json` and `expected-sizes.json`. Streams person by person: memory does not grow with size.
 * Deterministic for (size, seed, measureDate, persons).
 */
export async function generateDataset(options: GenerateOptions): Promise<GenerateSummary> {
  const size = options.size ?? DEFAULT_SIZE;
  const seed = options.seed ?? DEFAULT_SEED;
  const measureDate = options.measureDate ?? DEFAULT_MEASURE_DATE;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(measureDate)) {
    throw new ToolsError('bad-usage', `measure date must be YYYY-MM-DD, got ${measureDate}`);
  }
  const outDir = resolve(options.outDir);
  const tmpDir = `${outDir}.tmp-${process.pid}`;
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });

  const measureDay = dayIndexOf(measureDate);
  const exportDay = measureDay + EXPORT_DELAY_DAYS;
  const clock: Clock = { measureDay, exportDay, exportMs: localToEpochMs('Europe/Paris', exportDay, 6 * 60) };
  const transactionTime = new Date(clock.exportMs).toISOString();
  const { ogs, essms } = buildEstablishments(size, seed);

  const writers = new Map<GeneratedResourceType, RotatingNdjsonWriter>();
  for (const type of GENERATED_RESOURCE_TYPES) {
    writers.set(type, new RotatingNdjsonWriter(tmpDir, type, options.linesPerFile ?? DEFAULT_LINES_PER_FILE));
  }
  const out = (type: GeneratedResourceType): RotatingNdjsonWriter => {
    const writer = writers.get(type);
    if (writer === undefined) throw new ToolsError('io', `no writer for ${type}`);
    options.progress?.recordsRead(type, 1);
    return writer;
  };
  const total = (): number => [...writers.values()].reduce((sum, w) => sum + w.count, 0);

  for (const og of ogs) await out('Organization').write(organisationGestionnaire(og, clock));
  for (const e of essms) await out('Organization').write(establishment(e, clock));

  const target = targetResourcesOf(size);
  const weights = essms.map((e) => e.personWeight);
  let persons = 0;
  while (options.persons === undefined ? total() < target : persons < options.persons) {
    const resources = simulatePerson(persons, seed, essms, weights, clock);
    for (const resource of resources)
      await out(resource.resourceType as GeneratedResourceType).write(resource);
    persons++;
  }

  const files: WrittenFile[] = [];
  const counts: Record<string, number> = {};
  for (const [type, writer] of writers) {
    files.push(...(await writer.close()));
    counts[type] = writer.count;
  }
  const summary: GenerateSummary = {
    size,
    seed,
    measureDate,
    transactionTime,
    persons,
    organisations: ogs.length,
    establishments: essms.length,
    resources: counts,
    total: total(),
    files,
  };
  const manifest = {
    transactionTime,
    request: `synthetic $export (esms-numerique tools generator, size ${size}, seed ${seed}, measure date ${measureDate})`,
    requiresAccessToken: false,
    output: files.map((f) => ({ type: f.type, url: f.file, count: f.count })),
    error: [],
  };
  await writeFile(join(tmpDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(tmpDir, 'expected-sizes.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await mkdir(dirname(outDir), { recursive: true });
  await rm(outDir, { recursive: true, force: true });
  await rename(tmpDir, outDir);
  return summary;
}

function organisationGestionnaire(og: OrganismeGestionnaire, clock: Clock): Resource {
  return {
    resourceType: 'Organization',
    id: og.id,
    meta: {
      lastUpdated: formatLocalInstant('Europe/Paris', clock.exportMs - 200 * DAY_MS),
      profile: [PROFILE_ORGANIZATION],
    },
    identifier: [
      {
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'FINEJ' }] },
        system: SYSTEM_FINESS,
        value: og.finessJuridique,
      },
    ],
    active: true,
    name: og.name,
  };
}

function establishment(e: Essms, clock: Clock): Resource {
  return {
    resourceType: 'Organization',
    id: e.id,
    meta: {
      lastUpdated: formatLocalInstant(e.timeZone, clock.exportMs - 100 * DAY_MS),
      profile: [PROFILE_ORGANIZATION],
    },
    identifier: [
      {
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'FINEG' }] },
        system: SYSTEM_FINESS,
        value: e.finess,
      },
      {
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'IDNST' }] },
        system: SYSTEM_IDNST,
        value: `1${e.finess}`,
      },
    ],
    active: true,
    type: [{ text: KIND_SPECS[e.kind].label }],
    name: e.name,
    partOf: { reference: `Organization/${e.og.id}` },
  };
}

/** A fictitious but well-formed NIR (13 digits + key 97 − n mod 97), unique per person index. */
function fictitiousNir(rng: Rng, female: boolean, birthYear: number, serial: number): string {
  const body = `${female ? 2 : 1}${String(birthYear % 100).padStart(2, '0')}${String(rng.int(1, 12)).padStart(2, '0')}99${String(serial % 1_000_000).padStart(6, '0')}`;
  const key = 97 - Number(BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

/** Picks a local day in [from, to) and an office-hours minute; home services avoid weekends. */
function pickWorkingInstant(
  rng: Rng,
  e: Essms,
  fromDay: number,
  toDay: number,
): { day: number; minute: number } {
  let day = rng.int(fromDay, Math.max(fromDay, toDay - 1));
  if (KIND_SPECS[e.kind].homeBased) {
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    if (weekday === 0) day -= 2;
    else if (weekday === 6) day -= 1;
    if (day < fromDay) day = fromDay;
  }
  return { day, minute: 7 * 60 + rng.int(0, 22) * 30 };
}

/**
 * Everything about one person: Patient record(s), séjours, agenda, projets personnalisés, audit history
 * and usage events. Uses its own random stream so that each person is independent of the others.
 */
function simulatePerson(
  index: number,
  seed: number,
  essms: Essms[],
  weights: number[],
  clock: Clock,
): Resource[] {
  const rng = new Rng(deriveSeed(seed, 'person', index));
  const home = essms[rng.weightedIndex(weights)] ?? essms[0];
  if (home === undefined) throw new ToolsError('bad-usage', 'no establishment to accompany persons');
  const spec = KIND_SPECS[home.kind];
  const female = rng.chance(home.kind === 'EHPAD' ? 0.68 : 0.45);
  const age = rng.int(spec.age[0], spec.age[1]);
  const measureYear = new Date(clock.measureDay * DAY_MS).getUTCFullYear();
  const birthDate = `${measureYear - age}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const isChild = age < 18;
  // An engaged person's dossier lives in the DUI (agenda, updates); the others' dossiers are mostly dormant.
  const engaged = rng.chance(home.agendaAdoption);

  const stays: Stay[] = [];
  const firstStay = drawStay(rng, home, `${index}-1`, clock);
  stays.push(firstStay);
  if (rng.chance(0.07)) {
    // Re-admission in the same ESSMS after an exit, or a concurrent accompaniment by another ESSMS of the OG.
    const sameOg = home.ogEssmsIndexes
      .map((i) => essms[i])
      .filter((e): e is Essms => e !== undefined && e.personWeight > 0);
    const other = rng.pick(sameOg);
    const readmissionDay =
      firstStay.exitDay !== undefined && firstStay.exitDay < clock.exportDay - 30
        ? firstStay.exitDay + rng.int(30, 200)
        : undefined;
    const concurrentDay = Math.max(firstStay.entryDay, clock.measureDay - rng.int(30, 500));
    if (other !== home) stays.push(drawStay(rng, other, `${index}-2`, clock, concurrentDay));
    else if (readmissionDay !== undefined)
      stays.push(drawStay(rng, other, `${index}-2`, clock, readmissionDay));
  }

  const firstDay = Math.min(...stays.map((s) => s.entryDay));
  const lastDay = Math.min(clock.exportDay, Math.max(...stays.map((s) => s.exitDay ?? clock.exportDay)));
  const tz = home.timeZone;
  const createdMs = Math.min(
    clock.exportMs - DAY_MS,
    localToEpochMs(tz, Math.max(firstDay - rng.int(0, 40), clock.measureDay - 3000), 9 * 60),
  );

  // Identity: INS on most persons; a few duplicates (same INS), linked or not.
  const hasIns = rng.chance(isChild ? 0.8 : 0.9);
  const ins = hasIns ? fictitiousNir(rng, female, measureYear - age, index) : undefined;
  const patientId = `pat-${index}`;
  let duplicateId: string | undefined;
  let duplicateFromMs = Infinity;
  let linkStyle: 'replaced-by' | 'both' | 'none' | 'seealso' = 'none';
  if ((hasIns && rng.chance(0.025)) || (!hasIns && rng.chance(0.01))) {
    duplicateId = `pat-${index}-dup`;
    const splitDay = rng.int(
      Math.max(firstDay, clock.measureDay - HISTORY_DAYS),
      Math.max(firstDay, lastDay - 1),
    );
    duplicateFromMs = localToEpochMs(tz, splitDay, 8 * 60);
    linkStyle = !hasIns ? 'seealso' : rng.pick(['replaced-by', 'both', 'none'] as const);
  }
  const patientAt = (ms: number): string =>
    ms >= duplicateFromMs && duplicateId !== undefined ? duplicateId : patientId;
  const familyName = rng.pick(FAMILY_NAMES);
  const givenName = rng.pick(female ? GIVEN_NAMES_FEMALE : GIVEN_NAMES_MALE);
  const nh =
    isChild && rng.chance(0.15)
      ? fictitiousNir(new Rng(deriveSeed(seed, 'parent', index >> 1)), false, 1980, 500_000 + (index >> 1))
      : undefined;

  const resources: Resource[] = [];
  const patient = (id: string, fromMs: number, link: Resource[] | undefined): Resource => {
    const identifier: Resource[] = [];
    if (ins !== undefined) {
      identifier.push({
        use: 'official',
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'INS-NIR' }] },
        system: SYSTEM_INS_NIR,
        value: ins,
      });
    }
    identifier.push({
      type: { coding: [{ system: SYSTEM_V2_0203, code: 'PI' }] },
      system: SYSTEM_LOCAL_USAGER,
      value: `3${home.finess}/${id.replace('pat-', '')}`,
    });
    if (nh !== undefined) {
      // The parent's social-security number, typed NH: a billing number shared by siblings, never an INS.
      identifier.push({
        type: { coding: [{ system: SYSTEM_V2_0203, code: 'NH' }] },
        system: SYSTEM_INS_NIR,
        value: nh,
      });
    }
    const updatedMs = Math.min(
      clock.exportMs - 3_600_000,
      fromMs + (engaged ? rng.float(0, 1) * Math.max(0, clock.exportMs - fromMs) : rng.float(0, 30) * DAY_MS),
    );
    return {
      resourceType: 'Patient',
      id,
      meta: {
        lastUpdated: formatLocalInstant(tz, updatedMs),
        profile: [ins !== undefined ? PROFILE_PATIENT_INS : PROFILE_PATIENT],
      },
      identifier,
      active: true,
      name: [{ use: 'official', family: familyName, given: [givenName] }],
      gender: female ? 'female' : 'male',
      birthDate,
      address: [{ use: 'home', city: rng.pick(CITY_NAMES), country: 'FRA' }],
      ...(link !== undefined ? { link } : {}),
    };
  };
  if (duplicateId === undefined) {
    resources.push(patient(patientId, createdMs, undefined));
  } else {
    const forward =
      linkStyle === 'none'
        ? undefined
        : [
            {
              other: { reference: `Patient/${duplicateId}` },
              type: linkStyle === 'seealso' ? 'seealso' : 'replaced-by',
            },
          ];
    const backward =
      linkStyle === 'both' ? [{ other: { reference: `Patient/${patientId}` }, type: 'replaces' }] : undefined;
    resources.push(patient(patientId, createdMs, forward));
    resources.push(patient(duplicateId, duplicateFromMs, backward));
  }

  stays.forEach((stay, k) => {
    simulateStay(rng, stay, k, engaged, patientAt, clock, resources);
  });
  return resources;
}

function drawStay(rng: Rng, e: Essms, key: string, clock: Clock, fixedEntryDay?: number): Stay {
  const spec = KIND_SPECS[e.kind];
  const duration = Math.round(Math.exp(rng.float(Math.log(spec.stayDays[0]), Math.log(spec.stayDays[1]))));
  // Entries spread so that every stay overlaps the history: long stays began years ago, short ones recently.
  const entryDay =
    fixedEntryDay ?? rng.int(clock.measureDay - HISTORY_DAYS - duration, clock.measureDay + 40);
  const exit = entryDay + duration;
  return {
    essms: e,
    key,
    entryDay,
    exitDay: exit < clock.exportDay ? exit : undefined,
    useEpisodeOfCare: rng.chance(spec.episodeOfCareShare),
  };
}

function simulateStay(
  rng: Rng,
  stay: Stay,
  stayIndex: number,
  engaged: boolean,
  patientAt: (ms: number) => string,
  clock: Clock,
  out: Resource[],
): void {
  const e = stay.essms;
  const tz = e.timeZone;
  const entryMs = localToEpochMs(tz, stay.entryDay, 10 * 60);
  const exitMs = stay.exitDay === undefined ? undefined : localToEpochMs(tz, stay.exitDay, 16 * 60);
  const subject = { reference: `Patient/${patientAt(Math.min(entryMs, clock.exportMs))}` };
  const sejourId = `sej-${stay.key}`;
  const localKey = `3${e.finess}/${stay.key}`;
  const future = entryMs > clock.exportMs - DAY_MS;
  const dateOnly = rng.chance(0.8);
  const period: Resource = {
    start: dateOnly ? dateOfDayIndex(stay.entryDay) : formatLocalInstant(tz, entryMs),
  };
  if (stay.exitDay !== undefined && exitMs !== undefined) {
    period['end'] = dateOnly ? dateOfDayIndex(stay.exitDay) : formatLocalInstant(tz, exitMs);
  }
  const sejourUpdatedMs =
    exitMs !== undefined
      ? Math.min(clock.exportMs - 3_600_000, exitMs + rng.int(0, 5) * DAY_MS)
      : engaged
        ? Math.max(
            Math.min(entryMs, clock.exportMs - 3_600_000),
            clock.exportMs - rng.float(0.1, 200) * DAY_MS,
          )
        : Math.min(clock.exportMs - 3_600_000, entryMs + rng.float(0, 10) * DAY_MS);
  const meta = (ms: number, profile?: string): Resource => ({
    lastUpdated: formatLocalInstant(tz, ms),
    ...(profile !== undefined ? { profile: [profile] } : {}),
  });

  if (stay.useEpisodeOfCare) {
    // Waiting lists are typical of SESSAD: a future admission is still `waitlist`, with the request date as start.
    const status = future
      ? rng.chance(0.5)
        ? 'waitlist'
        : 'planned'
      : exitMs !== undefined
        ? 'finished'
        : 'active';
    const start = status === 'waitlist' ? dateOfDayIndex(stay.entryDay - rng.int(60, 400)) : period['start'];
    out.push({
      resourceType: 'EpisodeOfCare',
      id: sejourId,
      meta: meta(sejourUpdatedMs),
      identifier: [{ system: SYSTEM_SEJOUR, value: `${localKey}-SEJOUR-${stayIndex + 1}` }],
      status,
      type: [{ text: `Accompagnement ${KIND_SPECS[e.kind].label}` }],
      patient: subject,
      managingOrganization: { reference: `Organization/${e.id}` },
      period: { ...period, start },
    });
  } else {
    const status = future
      ? 'planned'
      : exitMs !== undefined
        ? 'finished'
        : rng.chance(0.01)
          ? 'onleave'
          : 'in-progress';
    out.push({
      resourceType: 'Encounter',
      id: sejourId,
      meta: meta(sejourUpdatedMs, PROFILE_SEJOUR),
      identifier: [
        {
          type: {
            coding: [
              {
                system: 'https://interop.esante.gouv.fr/ig/fhir/tddui/CodeSystem/tddui-encounter-identifier',
                code: 'SEJ',
              },
            ],
          },
          system: SYSTEM_SEJOUR,
          value: `${localKey}-SEJOUR-${stayIndex + 1}`,
        },
      ],
      status,
      class: { system: SYSTEM_V3_ACT_CODE, code: KIND_SPECS[e.kind].homeBased ? 'HH' : 'IMP' },
      subject,
      period,
      serviceProvider: { reference: `Organization/${e.id}` },
    });
    if (rng.chance(0.01)) {
      // An admission that was cancelled: never counts.
      const day = clock.measureDay - rng.int(1, 120);
      out.push({
        resourceType: 'Encounter',
        id: `${sejourId}-annule`,
        meta: meta(localToEpochMs(tz, day, 11 * 60), PROFILE_SEJOUR),
        identifier: [{ system: SYSTEM_SEJOUR, value: `${localKey}-SEJOUR-A${stayIndex + 1}` }],
        status: 'cancelled',
        class: { system: SYSTEM_V3_ACT_CODE, code: 'IMP' },
        subject,
        period: { start: dateOfDayIndex(day) },
        serviceProvider: { reference: `Organization/${e.id}` },
      });
    }
  }
  if (future) return;

  const lastActiveDay = Math.min(stay.exitDay ?? clock.exportDay, clock.exportDay);
  simulateAgenda(rng, stay, engaged, sejourId, patientAt, clock, out);
  if (rng.chance(e.projetAdoption)) simulateProjets(rng, stay, localKey, patientAt, clock, out);
  if (e.hasAuditLog) simulateAuditHistory(rng, stay, engaged, lastActiveDay, patientAt, clock, out);
  simulateUsage(rng, stay, lastActiveDay, patientAt, clock, out);
}

function simulateAgenda(
  rng: Rng,
  stay: Stay,
  engaged: boolean,
  sejourId: string,
  patientAt: (ms: number) => string,
  clock: Clock,
  out: Resource[],
): void {
  if (!engaged) return;
  const e = stay.essms;
  const tz = e.timeZone;
  const from = Math.max(stay.entryDay, clock.measureDay - AGENDA_HISTORY_DAYS);
  const to = Math.min(stay.exitDay ?? Infinity, clock.exportDay + PLANNED_HORIZON_DAYS);
  if (to <= from) return;
  const perQuarter = rng.float(20, 60);
  const count = rng.poisson((perQuarter * (to - from)) / DAYS_PER_QUARTER);
  const exportLocalDay = localDayIndex(tz, clock.exportMs);
  for (let n = 0; n < count; n++) {
    const { day, minute } = pickWorkingInstant(rng, e, from, to);
    const startMs = localToEpochMs(tz, day, minute);
    const endMs = startMs + rng.int(1, 4) * 30 * 60_000;
    const inFuture = startMs > clock.exportMs;
    const dateOnly = rng.chance(0.04);
    const roll = rng.next();
    let status: string;
    if (roll < 0.005) status = 'entered-in-error';
    else if (roll < 0.065) status = 'cancelled';
    else if (inFuture) status = 'planned';
    else if (day >= exportLocalDay - 14 && roll < 0.2) status = 'triaged';
    else status = roll < 0.075 ? 'planned' : 'finished';
    const updatedMs = inFuture
      ? Math.min(clock.exportMs - 3_600_000, startMs - rng.int(1, 60) * DAY_MS)
      : Math.min(clock.exportMs - 3_600_000, endMs + rng.int(0, 3 * MINUTES_PER_DAY) * 60_000);
    const patientRef = { reference: `Patient/${patientAt(Math.min(startMs, clock.exportMs))}` };
    if (rng.chance(0.1)) {
      const appointmentStatus =
        status === 'entered-in-error' || status === 'cancelled'
          ? status
          : inFuture || status === 'planned'
            ? 'booked'
            : rng.chance(0.03)
              ? 'noshow'
              : 'fulfilled';
      out.push({
        resourceType: 'Appointment',
        id: `apt-${stay.key}-${n}`,
        meta: { lastUpdated: formatLocalInstant(tz, updatedMs) },
        status: appointmentStatus,
        serviceType: [
          {
            text: rng.pick([
              'Consultation médicale',
              'Kinésithérapie',
              'Orthophonie',
              'Rendez-vous extérieur',
            ]),
          },
        ],
        start: formatLocalInstant(tz, startMs),
        end: formatLocalInstant(tz, endMs),
        participant: [{ actor: patientRef, status: 'accepted' }],
      });
      continue;
    }
    out.push({
      resourceType: 'Encounter',
      id: `evt-${stay.key}-${n}`,
      meta: { lastUpdated: formatLocalInstant(tz, updatedMs), profile: [PROFILE_EVENEMENT] },
      identifier: [{ system: SYSTEM_EVENEMENT, value: `3${e.finess}/${stay.key}-EVN-${n}` }],
      status,
      class: { system: SYSTEM_V3_ACT_CODE, code: KIND_SPECS[e.kind].homeBased ? 'HH' : 'IMP' },
      type: [
        {
          text: rng.pick([
            'Soins infirmiers',
            'Atelier',
            'Entretien éducatif',
            'Visite à domicile',
            'Réunion de synthèse',
            'Sortie',
          ]),
        },
      ],
      subject: patientRef,
      period: dateOnly
        ? { start: dateOfDayIndex(day) }
        : { start: formatLocalInstant(tz, startMs), end: formatLocalInstant(tz, endMs) },
      serviceProvider: { reference: `Organization/${e.id}` },
      ...(stay.useEpisodeOfCare
        ? { episodeOfCare: [{ reference: `EpisodeOfCare/${sejourId}` }] }
        : { partOf: { reference: `Encounter/${sejourId}` } }),
    });
  }
}

/** Projets personnalisés: one within months of the entry, renewed yearly, the latest in any status. */
function simulateProjets(
  rng: Rng,
  stay: Stay,
  localKey: string,
  patientAt: (ms: number) => string,
  clock: Clock,
  out: Resource[],
): void {
  const e = stay.essms;
  const tz = e.timeZone;
  const endDay = Math.min(stay.exitDay ?? clock.exportDay, clock.exportDay);
  let startDay = stay.entryDay + (KIND_SPECS[e.kind].homeBased ? rng.int(7, 45) : rng.int(15, 120));
  const plans: { startDay: number }[] = [];
  while (startDay < endDay) {
    plans.push({ startDay });
    startDay += 365 + rng.int(-20, 40);
  }
  // Only the recent history is exported; long stays keep their last three projets.
  const kept = plans.slice(-3);
  kept.forEach((plan, k) => {
    const latest = k === kept.length - 1;
    let status = rng.chance(0.05) ? 'revoked' : 'completed';
    let createdDay = plan.startDay - rng.int(0, 20);
    if (latest) {
      if (stay.exitDay !== undefined) status = rng.chance(0.8) ? 'completed' : 'active';
      else {
        const roll = rng.next();
        status =
          roll < 0.8
            ? 'active'
            : roll < 0.88
              ? 'draft'
              : roll < 0.94
                ? 'on-hold'
                : roll < 0.97
                  ? 'revoked'
                  : 'completed';
        // Some drafts were opened after the measurement date: they do not count for it.
        if (status === 'draft' && rng.chance(0.25)) createdDay = clock.measureDay + rng.int(0, 8);
      }
    }
    const createdMs = localToEpochMs(tz, createdDay, 14 * 60);
    const endDayOfPlan = plan.startDay + 364;
    const updatedMs = Math.min(
      clock.exportMs - 3_600_000,
      localToEpochMs(tz, Math.min(endDayOfPlan, endDay), 15 * 60),
    );
    out.push({
      resourceType: 'CarePlan',
      id: `pp-${stay.key}-${k}`,
      meta: {
        lastUpdated: formatLocalInstant(tz, Math.max(createdMs, updatedMs)),
        profile: [PROFILE_PROJET_PERSONNALISE],
      },
      identifier: [{ system: SYSTEM_PROJET_PERSONNALISE, value: `${localKey}-PPER-${k + 1}` }],
      status,
      intent: 'plan',
      title: 'Projet personnalisé',
      subject: { reference: `Patient/${patientAt(Math.min(createdMs, clock.exportMs))}` },
      period:
        status === 'draft'
          ? { start: dateOfDayIndex(Math.max(createdDay, plan.startDay)) }
          : { start: dateOfDayIndex(plan.startDay), end: dateOfDayIndex(endDayOfPlan) },
      created: rng.chance(0.5) ? dateOfDayIndex(createdDay) : formatLocalInstant(tz, createdMs),
      author: { reference: `Organization/${e.id}` },
    });
  });
  if (rng.chance(0.03)) {
    out.push({
      resourceType: 'CarePlan',
      id: `pp-${stay.key}-err`,
      meta: {
        lastUpdated: formatLocalInstant(tz, clock.exportMs - 20 * DAY_MS),
        profile: [PROFILE_PROJET_PERSONNALISE],
      },
      status: 'entered-in-error',
      intent: 'plan',
      subject: { reference: `Patient/${patientAt(clock.exportMs - 20 * DAY_MS)}` },
      created: dateOfDayIndex(clock.measureDay - 30),
    });
  }
}

const INTERACTION_BY_ACTION: Record<string, string> = { C: 'create', U: 'update', D: 'delete', R: 'read' };

function simulateAuditHistory(
  rng: Rng,
  stay: Stay,
  engaged: boolean,
  lastActiveDay: number,
  patientAt: (ms: number) => string,
  clock: Clock,
  out: Resource[],
): void {
  const e = stay.essms;
  const from = Math.max(stay.entryDay, clock.measureDay - LOG_HISTORY_DAYS);
  if (lastActiveDay <= from) return;
  const quarters = (lastActiveDay - from) / DAYS_PER_QUARTER;
  const actions: string[] = [];
  if (stay.entryDay >= from) actions.push('C');
  for (let n = rng.poisson((engaged ? 2.5 : 0.4) * quarters); n > 0; n--) actions.push('U');
  for (let n = rng.poisson(1.5 * quarters); n > 0; n--) actions.push('R');
  if (rng.chance(0.05)) actions.push('D');
  actions.forEach((action, n) => {
    const { day, minute } =
      action === 'C'
        ? { day: stay.entryDay, minute: 9 * 60 }
        : pickWorkingInstant(rng, e, from, lastActiveDay);
    const ms = Math.min(clock.exportMs - 3_600_000, localToEpochMs(e.timeZone, day, minute));
    out.push({
      resourceType: 'AuditEvent',
      id: `aud-${stay.key}-${n}`,
      meta: { lastUpdated: formatLocalInstant(e.timeZone, ms) },
      type: { system: SYSTEM_AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
      subtype: [{ system: SYSTEM_RESTFUL_INTERACTION, code: INTERACTION_BY_ACTION[action] ?? 'update' }],
      action,
      recorded: formatLocalInstant(e.timeZone, ms),
      outcome: '0',
      agent: [
        {
          type: { text: 'Utilisateur du DUI' },
          who: { identifier: { system: `urn:esms:users:${e.id}`, value: `u${rng.int(1, 40)}` } },
          requestor: true,
        },
      ],
      source: { observer: { display: 'DUI' } },
      entity: [{ what: { reference: `Patient/${patientAt(ms)}` } }],
    });
  });
}

function simulateUsage(
  rng: Rng,
  stay: Stay,
  lastActiveDay: number,
  patientAt: (ms: number) => string,
  clock: Clock,
  out: Resource[],
): void {
  const e = stay.essms;
  const from = Math.max(stay.entryDay, clock.measureDay - LOG_HISTORY_DAYS);
  if (lastActiveDay <= from) return;
  const months = (lastActiveDay - from) / DAYS_PER_MONTH;
  const withDmp = rng.chance(0.75);
  const kinds: [UsageEventCode, number][] = [
    ['mssante-message-sent', e.mssantePerPersonMonth * rng.float(0.3, 1.7)],
    ['dmp-document-fed', withDmp ? e.dmpPerPersonMonth : 0],
    ['e-prescription-imported', e.ePrescriptionPerPersonMonth],
    ['e-parcours-exchange', e.eParcoursPerPersonMonth],
  ];
  let n = 0;
  for (const [code, perMonth] of kinds) {
    for (let k = rng.poisson(perMonth * months); k > 0; k--) {
      const { day, minute } = pickWorkingInstant(rng, e, from, lastActiveDay);
      const ms = Math.min(
        clock.exportMs - 3_600_000,
        localToEpochMs(e.timeZone, day, minute + rng.int(0, 29)),
      );
      const failure = rng.next();
      out.push({
        resourceType: 'AuditEvent',
        id: `use-${stay.key}-${n++}`,
        meta: { lastUpdated: formatLocalInstant(e.timeZone, ms) },
        type: { system: SYSTEM_USAGE_EVENT, code },
        // `E` (execute): a usage event is not a create/update of the dossier.
        action: 'E',
        recorded: formatLocalInstant(e.timeZone, ms),
        outcome: failure < 0.03 ? '4' : failure < 0.04 ? '8' : '0',
        agent: [{ who: { reference: `Organization/${e.id}` }, requestor: false }],
        source: { observer: { display: 'DUI' } },
        entity: [{ what: { reference: `Patient/${patientAt(ms)}` } }],
      });
    }
  }
}
