import { KIND_SPECS } from './establishments.js';
import { PROFILE_PROJET_PERSONNALISE, SYSTEM_PROJET_PERSONNALISE } from './fhir-vocabulary.js';
import { DAY_MS, dateOfDayIndex, formatLocalInstant, localToEpochMs } from './local-time.js';
import type { StayContext } from './generator-model.js';

/** Projets personnalisés: one within months of the entry, renewed yearly, the latest in any status. */
export function simulateProjets(context: StayContext, localKey: string): void {
  const { rng, stay, patientAt, clock, out } = context;
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
