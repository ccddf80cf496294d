/**
 * indicators.md "The five mandatory indicators" → `taux-projet-personnalise`, and its "Projet
 * personnalisé" rule: an active dossier counts when the person has a CarePlan recognised as a projet
 * personnalisé with status `draft` (en préparation) or `active` (en cours), not ended before P
 * (`period.end` absent or ≥ P.start), and created (`CarePlan.created`) before the end of P when that date
 * is present. `on-hold` (en pause), `completed`, `revoked`, `entered-in-error` do not count; the first
 * two say why a dossier is out of the numerator.
 *
 * What a projet personnalisé is (data-model.md): a CarePlan with the TDDUI profile (or its older id), the
 * projet personnalisé identifier system, or a category from the TDDUI projet personnalisé types; every
 * CarePlan with option `allCarePlansAreProjetPersonnalise`.
 */
import type { Accumulator } from '../accumulator.js';
import { missingSubject } from '../data-quality.js';
import type { ProjetPersonnaliseFact } from '../facts.js';
import {
  field,
  hasIdentifierSystem,
  hasProfile,
  str,
  type Identified,
  type Json,
} from '../read/fhir-json.js';
import { referenceKey } from '../read/references.js';
import { zonesBeforePeriodEnd, zonesEndReachingPeriod } from '../vocabulary/period.js';
import {
  IDENTIFIER_SYSTEMS,
  PROJET_PERSONNALISE_TYPE_SYSTEM,
  TDDUI_PROFILES,
} from '../vocabulary/systems.js';
import { parseFhirTime } from '../vocabulary/time.js';
import { hasZone, intersection, union } from '../vocabulary/zone-set.js';
import type { PersonRule } from './rule.js';

// ---- Recognition and extraction ---------------------------------------------------------------------

/** The default recogniser of projets personnalisés. */
export function isProjetPersonnalise(carePlan: Readonly<Record<string, unknown>>): boolean {
  const c = carePlan as Identified & { category?: unknown };
  if (hasProfile(c, TDDUI_PROFILES.projetPersonnalise, TDDUI_PROFILES.projetPersonnaliseLegacy)) return true;
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
}

/** What the rule reads from a CarePlan recognised as a projet personnalisé. */
export function projetPersonnaliseFact(resource: Json, key: string): ProjetPersonnaliseFact {
  return {
    k: 'projet-personnalise',
    record: key,
    subject: referenceKey(resource.subject),
    status: str(resource.status),
    created: str(resource.created),
    end: str(field(resource.period, 'end')),
  };
}

// ---- Streaming ---------------------------------------------------------------------------------------

/** Counts one projet personnalisé: the zones where it is current, or on hold, or that it is neither. */
export function countProjetPersonnalise(acc: Accumulator, fact: ProjetPersonnaliseFact): void {
  if (fact.subject === null) {
    acc.problems.push(missingSubject(fact.record, 'projet personnalisé without a subject'));
    return;
  }
  const state = acc.person(fact.subject, fact.record);
  const status = fact.status;
  if (status === 'entered-in-error') return;
  const grid = acc.grid;
  const notEndedBeforeP =
    fact.end === null ? grid.allZones : zonesEndReachingPeriod(grid, parseFhirTime(fact.end, 'end'));
  const createdBeforePEnd =
    fact.created === null ? grid.allZones : zonesBeforePeriodEnd(grid, parseFhirTime(fact.created, 'start'));
  const current = intersection(notEndedBeforeP, createdBeforePEnd);
  if (status === 'draft' || status === 'active') {
    state.pp = union(state.pp, current);
    if (current !== grid.allZones) state.ppOther = true;
  } else if (status === 'on-hold') {
    state.ppOnHold = union(state.ppOnHold, current);
  } else {
    state.ppOther = true;
  }
}

// ---- Once everything is read ------------------------------------------------------------------------

/** The decision, and why a dossier is out: on hold, not current (completed, revoked, out of P), or none. */
export const projetPersonnaliseRule: PersonRule = {
  kind: 'persons',
  counts: (person, e) => hasZone(person.state.pp, e.zone),
  reason: (person, e) => {
    if (hasZone(person.state.ppOnHold, e.zone)) return 'projet-personnalise-on-hold';
    return person.state.ppOther ? 'projet-personnalise-not-current' : 'no-projet-personnalise';
  },
};
