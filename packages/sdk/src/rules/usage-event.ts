/**
 * data-model.md "Usage events: one convention for what no implementation guide defines": an MSSanté
 * message sent, a document fed to the DMP, an e-prescription imported, an exchange with the e-parcours
 * platform, each an `AuditEvent` with `type` from the usage-event code system, `recorded` (the instant),
 * `outcome` `0` (anything else does not count), `entity[].what` the person, `agent[].who` the ESSMS.
 *
 * This file recognises them, reads them, and streams them the way every kind shares (outcome success, a
 * readable instant, the organisation `agent.who` names), handing each to the rule of its kind
 * (mssante.ts, dmp.ts, e-prescriptions.ts, e-parcours.ts: `USAGE_RULES`), which holds its arithmetic. Events that name their ESSMS by `agent.who` are counted per
 * organisation key as they stream past; the others (no `agent.who`, or an untyped `urn:uuid:` one) wait
 * for the end, where resolve/attribution.ts attributes them.
 */
import type { Accumulator, OrgCounters } from '../accumulator.js';
import type { EmitFact, UsageFact } from '../facts.js';
import type { IdentifierJson, Json } from '../read/fhir-json.js';
import { idOf, referenceKey, referenceType } from '../read/references.js';
import { zonesInPeriod, type PeriodGrid } from '../vocabulary/period.js';
import { NO_ZONES } from '../vocabulary/zone-set.js';
import { CONTRIBUTION } from '../contributions.js';
import {
  IDENTIFIER_SYSTEMS,
  USAGE_EVENT_KINDS,
  USAGE_EVENT_SYSTEM,
  type UsageEventKind,
} from '../vocabulary/systems.js';
import { isFloating, parseFhirTime } from '../vocabulary/time.js';
import { dmpUsage } from './dmp.js';
import { eParcoursUsage } from './e-parcours.js';
import { ePrescriptionsUsage } from './e-prescriptions.js';
import { mssanteUsage } from './mssante.js';
import type { UsageRule } from './rule.js';

// ---- Recognition and extraction ---------------------------------------------------------------------

/** The default recogniser of usage events: the kind, from `type`, or `null`. */
export function usageEventKind(auditEvent: Readonly<Record<string, unknown>>): UsageEventKind | null {
  const type = (auditEvent as { type?: { system?: unknown; code?: unknown } }).type;
  if (type?.system !== USAGE_EVENT_SYSTEM || typeof type.code !== 'string') return null;
  return (USAGE_EVENT_KINDS as readonly string[]).includes(type.code) ? (type.code as UsageEventKind) : null;
}

/** What the rules read from a usage event: its kind, instant, outcome, person, and ESSMS. */
export function extractUsageEvent(
  resource: Json,
  key: string,
  kind: UsageEventKind,
  recorded: string | null,
  success: boolean,
  persons: readonly string[],
  emit: EmitFact,
): void {
  const { org, untyped, others } = usageOrganisation(resource.agent);
  emit({
    k: 'usage',
    record: key,
    kind,
    at: recorded,
    success,
    subject: persons[0] ?? null,
    org,
    ...(untyped ? { orgUntyped: true as const } : {}),
    ...(others.length > 0 ? { otherOrgs: others } : {}),
  });
}

/**
 * The ESSMS named by the agents: Organization references, or identifiers with a FINESS system (the first,
 * and the other distinct ones, which the end of the computation compares: two different ESSMS make the
 * event `unattributed-event`). Failing those, an untyped `urn:uuid:` reference (how Bundles refer to their
 * entries, data-model.md "Identity and references"), flagged `untyped`: only the end of the computation
 * knows whether it names an Organization.
 */
function usageOrganisation(agents: unknown): { org: string | null; untyped: boolean; others: string[] } {
  const none = { org: null, untyped: false, others: [] };
  if (!Array.isArray(agents)) return none;
  let untypedCandidate: string | null = null;
  let org: string | null = null;
  const others: string[] = [];
  for (const agent of agents as ({ who?: unknown } | null)[]) {
    const who = agent?.who as { reference?: unknown; identifier?: IdentifierJson } | undefined;
    if (who === undefined || who === null) continue;
    const type = referenceType(who);
    const id = who.identifier;
    const named =
      type === 'Organization' ||
      (type === null &&
        typeof who.reference !== 'string' &&
        id !== undefined &&
        (id.system === IDENTIFIER_SYSTEMS.finess || id.system === IDENTIFIER_SYSTEMS.idNatSt));
    if (named) {
      const key = referenceKey(who);
      if (key === null || key === org || others.includes(key)) continue;
      if (org === null) org = key;
      else others.push(key);
      continue;
    }
    if (type === null && untypedCandidate === null && typeof who.reference === 'string') {
      if (who.reference.startsWith('urn:')) untypedCandidate = who.reference;
    }
  }
  if (org !== null) return { org, untyped: false, others };
  return untypedCandidate === null ? none : { org: untypedCandidate, untyped: true, others: [] };
}

// ---- Streaming ---------------------------------------------------------------------------------------

/**
 * A usage event attributed at the end: through the person's séjours when it has no `agent.who`, or through
 * its untyped `agent.who` reference (`org`) when that turns out to name an Organization.
 */
export interface PendingUsage {
  kind: UsageEventKind;
  at: number;
  /** Never `null` when `org` is absent. */
  subject: string | null;
  record: string;
  /** An untyped `agent.who` reference (see `UsageFact.orgUntyped`). */
  org?: string;
  /** Every organisation key the agents name, when they name more than one (see `UsageFact.otherOrgs`). */
  orgs?: string[];
  /** The record's occurrence (resolve/record-versions.ts): only the version of its Type/id used counts. */
  occurrence: number;
}

/** Usage kinds by number, as the contribution log keeps them. */
const USAGE_KIND_CODES: readonly UsageEventKind[] = USAGE_EVENT_KINDS;
const CODE_OF_KIND = new Map(USAGE_KIND_CODES.map((kind, i) => [kind, i]));

/** How many records per unattributable organisation key are kept to be named in data quality. */
export const MAX_RECORDS_NAMED_PER_ORGANISATION = 100;

/** Why an event without `agent.who` nor `entity.what` counts nowhere. */
export function namesNeitherEssmsNorPerson(kind: UsageEventKind): string {
  return `${kind} names neither an ESSMS (agent.who) nor a person (entity.what)`;
}

/** The rule of each kind (its own arithmetic: rules/<kind>.ts). */
export const USAGE_RULES: Readonly<Record<UsageEventKind, UsageRule>> = {
  'mssante-message-sent': mssanteUsage,
  'dmp-document-fed': dmpUsage,
  'e-prescription-imported': ePrescriptionsUsage,
  'e-parcours-exchange': eParcoursUsage,
};

/** Counts one usage event: into its organisation's counters, or kept for attribution at the end. */
export function countUsage(acc: Accumulator, fact: UsageFact): void {
  const { kind, subject, org, record } = fact;
  if (!fact.success || fact.at === null) return;
  const at = parseFhirTime(fact.at, 'start');
  const rule = USAGE_RULES[kind];
  if (Number.isNaN(at) || !mayCount(acc.grid, rule, at)) return;
  const occurrence = acc.current;
  const several = org !== null && fact.otherOrgs !== undefined && fact.otherOrgs.length > 0;
  if (org !== null && (several || fact.orgUntyped === true)) {
    // Whether the reference names an Organization, or the organisations one ESSMS, is known only at the end.
    if (rule.perPerson !== undefined && subject === null) {
      acc.recordProblem(rule.perPerson.withoutPerson(record));
      return;
    }
    if (subject !== null) acc.person(subject, record);
    acc.pendingUsage.push(
      several
        ? { kind, at, subject, record, orgs: [org, ...fact.otherOrgs!], occurrence }
        : { kind, at, subject, record, org, occurrence },
    );
    return;
  }
  if (org === null) {
    if (subject === null) {
      acc.recordProblem({
        k: 'problem',
        code: 'unattributed-event',
        resourceType: 'AuditEvent',
        id: idOf(record),
        message: namesNeitherEssmsNorPerson(kind),
      });
      return;
    }
    acc.person(subject, record);
    acc.pendingUsage.push({ kind, at, subject, record, occurrence });
    return;
  }
  if (rule.perPerson !== undefined) {
    if (subject === null) {
      acc.recordProblem(rule.perPerson.withoutPerson(record));
      return;
    }
    rule.perPerson.countNamedByAgent(acc, acc.person(subject, record), org, at);
  }
  // Counted per organisation key (a rule that counts persons counts them above, but the event is named
  // here too so that an organisation that is not a reported ESSMS gets its events reported).
  const counters = acc.countersOf(org);
  if (counters.records.length < MAX_RECORDS_NAMED_PER_ORGANISATION) {
    counters.records.push(record);
    counters.recordOccurrences.push(occurrence);
  }
  acc.contribute(CONTRIBUTION.usageAtOrganisation, acc.intern(org), NO_ZONES, CODE_OF_KIND.get(kind), at);
}

/** Usage events outside every window that could count are dropped at once. */
function mayCount(grid: PeriodGrid, rule: UsageRule, at: number): boolean {
  if (isFloating(at)) return true;
  if (at >= grid.unionEndMs) return false;
  if (at >= grid.unionStartMs) return true;
  return rule.mayCountBeforePeriod(grid, at);
}

/**
 * Applies one logged usage event (`Accumulator.settle`) to its organisation's counters, in the rule of
 * its kind, for every zone whose windows contain it (which zone is the ESSMS's is known at the end).
 */
export function countAtOrganisation(
  grid: PeriodGrid,
  counters: OrgCounters,
  kindCode: number,
  at: number,
): void {
  const rule = USAGE_RULES[USAGE_KIND_CODES[kindCode]!];
  const inPeriod = zonesInPeriod(grid, at);
  for (let zone = 0; zone < grid.timezones.length; zone++)
    rule.countAtOrganisation(grid, counters, zone, at, inPeriod);
}
