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
 * CarePlan with option `allCarePlansAreProjetPersonnalise`. The TDDUI status codes (ENPREPARATION,
 * ENCOURS, ENPAUSE, TERMINE) are mapped wherever they stand in its status (`carePlanStatus`).
 */
import type { Accumulator, PersonState } from '../accumulator.js';
import { missingSubject } from '../data-quality.js';
import type { ProjetPersonnaliseFact } from '../facts.js';
import {
  field,
  hasIdentifierSystem,
  hasProfile,
  isRecord,
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
import { hasZone, intersection, NO_ZONES, union, type ZoneSet } from '../vocabulary/zone-set.js';
import { CONTRIBUTION } from '../contributions.js';
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

/**
 * data-model.md "projet personnalisé": the TDDUI status codes (*statut du projet personnalisé*) map to
 * FHIR's, wherever they stand in the CarePlan's status: as the `status` itself (non-standard, but some
 * DUIs write it so) or in the extensions of the status element (`_status`).
 */
const TDDUI_STATUS_CODES: Readonly<Record<string, string>> = {
  ENPREPARATION: 'draft',
  ENCOURS: 'active',
  ENPAUSE: 'on-hold',
  TERMINE: 'completed',
};

function tdduiStatus(code: unknown): string | null {
  if (typeof code !== 'string') return null;
  const normalised = code.trim().toUpperCase();
  return Object.hasOwn(TDDUI_STATUS_CODES, normalised) ? TDDUI_STATUS_CODES[normalised]! : null;
}

/** The TDDUI code carried by an extension's value (`valueCode`, `valueString`, `valueCoding`, `valueCodeableConcept`). */
function tdduiStatusOfExtension(extension: unknown): string | null {
  if (!isRecord(extension)) return null;
  const direct = tdduiStatus(extension.valueCode) ?? tdduiStatus(extension.valueString);
  if (direct !== null) return direct;
  const codings = [
    extension.valueCoding,
    ...(Array.isArray(field(extension.valueCodeableConcept, 'coding'))
      ? (field(extension.valueCodeableConcept, 'coding') as unknown[])
      : []),
  ];
  for (const coding of codings) {
    const mapped = tdduiStatus(field(coding, 'code'));
    if (mapped !== null) return mapped;
  }
  return null;
}

/** The CarePlan's status, a TDDUI code mapped to FHIR's (the status element's extension refines its value). */
export function carePlanStatus(resource: Json): string | null {
  const extensions = field(resource._status, 'extension');
  if (Array.isArray(extensions)) {
    for (const extension of extensions) {
      const mapped = tdduiStatusOfExtension(extension);
      if (mapped !== null) return mapped;
    }
  }
  const status = str(resource.status);
  return tdduiStatus(status) ?? status;
}

/** What the rule reads from a CarePlan recognised as a projet personnalisé. */
export function projetPersonnaliseFact(resource: Json, key: string): ProjetPersonnaliseFact {
  return {
    k: 'projet-personnalise',
    record: key,
    subject: referenceKey(resource.subject),
    status: carePlanStatus(resource),
    created: str(resource.created),
    end: str(field(resource.period, 'end')),
  };
}

// ---- Streaming ---------------------------------------------------------------------------------------

/** Counts one projet personnalisé: the zones where it is current, or on hold, or that it is neither. */
export function countProjetPersonnalise(acc: Accumulator, fact: ProjetPersonnaliseFact): void {
  if (fact.subject === null) {
    acc.recordProblem(missingSubject(fact.record, 'projet personnalisé without a subject'));
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
    // Logged even when current nowhere: it is then a projet personnalisé that is not current.
    acc.contribute(CONTRIBUTION.projetPersonnalise, state.index, current);
  } else if (status === 'on-hold') {
    if (current !== NO_ZONES) acc.contribute(CONTRIBUTION.projetPersonnaliseOnHold, state.index, current);
  } else {
    acc.contribute(CONTRIBUTION.projetPersonnaliseOther, state.index, NO_ZONES);
  }
}

/**
 * Applies what `countProjetPersonnalise` logged (`Accumulator.settle`, for the version of the record
 * used). A draft or active one is current in `zones`; wherever it is not (every zone but those), it is a
 * projet personnalisé that is not current, which says why a dossier is out.
 */
export function addProjetPersonnalise(state: PersonState, zones: ZoneSet, allZones: ZoneSet): void {
  state.pp = union(state.pp, zones);
  if (zones !== allZones) state.ppOther = true;
}

/** Applies an on-hold projet personnalisé, current in `zones` had it not been on hold. */
export function addProjetPersonnaliseOnHold(state: PersonState, zones: ZoneSet): void {
  state.ppOnHold = union(state.ppOnHold, zones);
}

/** Applies a completed or revoked projet personnalisé: never current. */
export function addProjetPersonnaliseOther(state: PersonState): void {
  state.ppOther = true;
}

/** When several person keys turn out to be one person: their projets personnalisés, together. */
export function mergeProjetsPersonnalises(into: PersonState, from: PersonState): void {
  into.pp = union(into.pp, from.pp);
  into.ppOnHold = union(into.ppOnHold, from.ppOnHold);
  into.ppOther ||= from.ppOther;
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
