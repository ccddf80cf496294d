import {
  IDENTIFIER_SYSTEMS,
  PROJET_PERSONNALISE_TYPE_SYSTEM,
  TDDUI_PROFILES,
  USAGE_EVENT_KINDS,
  USAGE_EVENT_SYSTEM,
  type UsageEventKind,
} from './constants.js';

/**
 * How records are recognised (data-model.md). Defaults follow the ANS TDDUI guide with its fallbacks;
 * an editor whose DUI models things differently passes its own functions in `ComputeOptions.recognisers`
 * (each may call the default for the cases it does not handle) instead of forking the rules.
 */
export type EncounterKind =
  /** Recognised as an agenda event by its profile or identifier. */
  | 'event'
  /** An event only if its `partOf` is a séjour (decided once everything is read). */
  | 'event-if-part-of-sejour'
  /** A séjour, unless its `partOf` is a séjour (an Encounter recognised as an event is never a séjour). */
  | 'sejour'
  /** Not used by the rules. */
  | 'other';

export interface Recognisers {
  encounterKind(encounter: Readonly<Record<string, unknown>>): EncounterKind;
  isProjetPersonnalise(carePlan: Readonly<Record<string, unknown>>): boolean;
  usageEventKind(auditEvent: Readonly<Record<string, unknown>>): UsageEventKind | null;
}

interface Identified {
  meta?: { profile?: unknown };
  identifier?: unknown;
}

function hasProfile(resource: Identified, ...profiles: string[]): boolean {
  const declared = resource.meta?.profile;
  if (!Array.isArray(declared)) return false;
  for (const p of declared) {
    if (typeof p !== 'string') continue;
    // Profiles may be versioned (`…|2.3.0`); no split in this per-record path.
    const bar = p.indexOf('|');
    if (profiles.includes(bar < 0 ? p : p.slice(0, bar))) return true;
  }
  return false;
}

function hasIdentifierSystem(resource: Identified, system: string): boolean {
  const ids = resource.identifier;
  return Array.isArray(ids) && ids.some((id) => (id as { system?: unknown } | null)?.system === system);
}

export const defaultRecognisers: Recognisers = {
  encounterKind(encounter) {
    const e = encounter as Identified & { partOf?: unknown; serviceProvider?: unknown };
    if (hasProfile(e, TDDUI_PROFILES.evenement) || hasIdentifierSystem(e, IDENTIFIER_SYSTEMS.evenement))
      return 'event';
    if (hasProfile(e, TDDUI_PROFILES.sejour) || hasIdentifierSystem(e, IDENTIFIER_SYSTEMS.sejour))
      return 'sejour';
    if (e.partOf !== undefined) return 'event-if-part-of-sejour';
    if (e.serviceProvider !== undefined) return 'sejour';
    return 'other';
  },
  isProjetPersonnalise(carePlan) {
    const c = carePlan as Identified & { category?: unknown };
    if (hasProfile(c, TDDUI_PROFILES.projetPersonnalise, TDDUI_PROFILES.projetPersonnaliseLegacy))
      return true;
    if (hasIdentifierSystem(c, IDENTIFIER_SYSTEMS.projetPersonnalise)) return true;
    return (
      Array.isArray(c.category) &&
      c.category.some((cc: { coding?: unknown } | null) =>
        Array.isArray(cc?.coding)
          ? cc.coding.some(
              (coding: { system?: unknown } | null) => coding?.system === PROJET_PERSONNALISE_TYPE_SYSTEM,
            )
          : false,
      )
    );
  },
  usageEventKind(auditEvent) {
    const type = (auditEvent as { type?: { system?: unknown; code?: unknown } }).type;
    if (type?.system !== USAGE_EVENT_SYSTEM || typeof type.code !== 'string') return null;
    return (USAGE_EVENT_KINDS as readonly string[]).includes(type.code)
      ? (type.code as UsageEventKind)
      : null;
  },
};
