import {
  SYSTEM_AUDIT_EVENT_TYPE,
  SYSTEM_RESTFUL_INTERACTION,
  SYSTEM_USAGE_EVENT,
  type UsageEventCode,
} from './fhir-vocabulary.js';
import { formatLocalInstant, localToEpochMs } from './local-time.js';
import {
  LOG_HISTORY_DAYS,
  DAYS_PER_QUARTER,
  DAYS_PER_MONTH,
  type Resource,
  type Stay,
  type Clock,
  pickWorkingInstant,
  type StayContext,
} from './generator-model.js';

const INTERACTION_BY_ACTION: Record<string, string> = { C: 'create', U: 'update', D: 'delete', R: 'read' };

export function simulateAuditHistory(context: StayContext, engaged: boolean, lastActiveDay: number): void {
  const { rng, stay, patientAt, clock, out } = context;
  const e = stay.essms;
  const from = logWindowStart(stay, clock);
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
    const recorded = formatLocalInstant(e.timeZone, ms);
    out.push({
      resourceType: 'AuditEvent',
      id: `aud-${stay.key}-${n}`,
      meta: { lastUpdated: recorded },
      type: { system: SYSTEM_AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
      subtype: [{ system: SYSTEM_RESTFUL_INTERACTION, code: INTERACTION_BY_ACTION[action] ?? 'update' }],
      action,
      ...logged(
        recorded,
        '0',
        {
          type: { text: 'Utilisateur du DUI' },
          who: { identifier: { system: `urn:esms:users:${e.id}`, value: `u${rng.int(1, 40)}` } },
          requestor: true,
        },
        patientAt(ms),
      ),
    });
  });
}

export function simulateUsage(context: StayContext, lastActiveDay: number): void {
  const { rng, stay, patientAt, clock, out } = context;
  const e = stay.essms;
  const from = logWindowStart(stay, clock);
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
      const recorded = formatLocalInstant(e.timeZone, ms);
      out.push({
        resourceType: 'AuditEvent',
        id: `use-${stay.key}-${n++}`,
        meta: { lastUpdated: recorded },
        type: { system: SYSTEM_USAGE_EVENT, code },
        // `E` (execute): a usage event is not a create/update of the dossier.
        action: 'E',
        ...logged(
          recorded,
          failure < 0.03 ? '4' : failure < 0.04 ? '8' : '0',
          { who: { reference: `Organization/${e.id}` }, requestor: false },
          patientAt(ms),
        ),
      });
    }
  }
}

/** Logs are kept for one year, and a stay's start no logs before it. */
function logWindowStart(stay: Stay, clock: Clock): number {
  return Math.max(stay.entryDay, clock.measureDay - LOG_HISTORY_DAYS);
}

/** The fields every generated AuditEvent ends with, in the order the generator has always written them. */
function logged(
  recorded: string,
  outcome: string,
  agent: Resource,
  patientId: string,
): Pick<Resource, 'recorded' | 'outcome' | 'agent' | 'source' | 'entity'> {
  return {
    recorded,
    outcome,
    agent: [agent],
    source: { observer: { display: 'DUI' } },
    entity: [{ what: { reference: `Patient/${patientId}` } }],
  };
}
