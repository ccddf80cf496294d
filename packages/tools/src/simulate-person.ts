import { ToolsError } from './errors.js';
import { KIND_SPECS, type Essms } from './establishments.js';
import {
  PROFILE_PATIENT,
  PROFILE_PATIENT_INS,
  SYSTEM_FR_CORE_0203,
  SYSTEM_INS_NIR,
  SYSTEM_LOCAL_USAGER,
  SYSTEM_V2_0203,
} from './fhir-vocabulary.js';
import { DAY_MS, formatLocalInstant, localToEpochMs } from './local-time.js';
import { CITY_NAMES, FAMILY_NAMES, GIVEN_NAMES_FEMALE, GIVEN_NAMES_MALE } from './names.js';
import { Rng, deriveSeed } from './prng.js';
import { HISTORY_DAYS, type Resource, type Stay, type Clock } from './generator-model.js';
import { simulateStay } from './simulate-stay.js';

/** A fictitious but well-formed NIR (13 digits + key 97 − n mod 97), unique per person index. */
function fictitiousNir(rng: Rng, female: boolean, birthYear: number, serial: number): string {
  const body = `${female ? 2 : 1}${String(birthYear % 100).padStart(2, '0')}${String(rng.int(1, 12)).padStart(2, '0')}99${String(serial % 1_000_000).padStart(6, '0')}`;
  const key = 97 - Number(BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

/**
 * Everything about one person: Patient record(s), séjours, agenda, projets personnalisés, audit history
 * and usage events. Uses its own random stream so that each person is independent of the others.
 */
export function simulatePerson(
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
    simulateStay({ rng, stay, patientAt, clock, out: resources }, k, engaged);
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
