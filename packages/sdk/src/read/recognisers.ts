import { encounterKind } from '../rules/accompanied.js';
import { isProjetPersonnalise } from '../rules/projet-personnalise.js';
import { usageEventKind } from '../rules/usage-event.js';
import type { UsageEventKind } from '../vocabulary/systems.js';

/**
 * How records are recognised (data-model.md, the table "recognised by (any of)"). Defaults follow the ANS
 * TDDUI guide with its fallbacks, each written beside its rule: `encounterKind` in rules/accompanied.ts,
 * `isProjetPersonnalise` in rules/projet-personnalise.ts, `usageEventKind` in rules/usage-event.ts. An
 * editor whose DUI models things differently passes its own functions in `EngineOptions.recognisers`
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

export const defaultRecognisers: Recognisers = { encounterKind, isProjetPersonnalise, usageEventKind };
