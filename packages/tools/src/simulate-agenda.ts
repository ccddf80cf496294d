import { KIND_SPECS } from './establishments.js';
import { PROFILE_EVENEMENT, SYSTEM_EVENEMENT, SYSTEM_V3_ACT_CODE } from './fhir-vocabulary.js';
import { DAY_MS, dateOfDayIndex, formatLocalInstant, localDayIndex, localToEpochMs } from './local-time.js';
import {
  AGENDA_HISTORY_DAYS,
  PLANNED_HORIZON_DAYS,
  MINUTES_PER_DAY,
  DAYS_PER_QUARTER,
  pickWorkingInstant,
  type StayContext,
} from './generator-model.js';

export function simulateAgenda(context: StayContext, engaged: boolean, sejourId: string): void {
  const { rng, stay, patientAt, clock, out } = context;
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
