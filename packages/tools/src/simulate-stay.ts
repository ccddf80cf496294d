import { KIND_SPECS } from './establishments.js';
import { PROFILE_SEJOUR, SYSTEM_SEJOUR, SYSTEM_V3_ACT_CODE } from './fhir-vocabulary.js';
import { DAY_MS, dateOfDayIndex, formatLocalInstant, localToEpochMs } from './local-time.js';
import type { Resource, StayContext } from './generator-model.js';
import { simulateAgenda } from './simulate-agenda.js';
import { simulateProjets } from './simulate-projets.js';
import { simulateAuditHistory, simulateUsage } from './simulate-logs.js';

export function simulateStay(context: StayContext, stayIndex: number, engaged: boolean): void {
  const { rng, stay, patientAt, clock, out } = context;
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
  simulateAgenda(context, engaged, sejourId);
  if (rng.chance(e.projetAdoption)) simulateProjets(context, localKey);
  if (e.hasAuditLog) simulateAuditHistory(context, engaged, lastActiveDay);
  simulateUsage(context, lastActiveDay);
}
