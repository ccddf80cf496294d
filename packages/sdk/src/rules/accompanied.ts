/**
 * indicators.md "Persons accompanied in P (personnes accompagnées)": a person is accompanied by ESSMS E in
 * P when they have at least one séjour at E whose period overlaps P (`start < P.end` and `end` absent or
 * `end ≥ P.start`), with status not in {planned, cancelled, entered-in-error} (EpisodeOfCare: nor
 * waitlist). A séjour ending before it starts (`period-inverted`) or without a start (`period-missing`)
 * does not count. Decision `denominatorScope`: the denominator is the persons accompanied in P (`period`),
 * or in the calendar year of P's last day (`calendar-year`), and every numerator is drawn from that same
 * population (indicators/rates.ts); the *file active* is always the latter.
 *
 * What a séjour is (data-model.md): an Encounter recognised by the TDDUI séjour profile or identifier
 * system, or (fallback) one with no `partOf` and a `serviceProvider`; an Encounter recognised as an agenda
 * event is never a séjour, and one whose `partOf` is a séjour is an event (decided by resolve/sejours.ts
 * once everything is read). `EpisodeOfCare` is accepted too.
 */
import type { Findings } from '../data-quality.js';
import type { SejourFact } from '../facts.js';
import {
  field,
  hasIdentifierSystem,
  hasProfile,
  str,
  type Identified,
  type Json,
} from '../read/fhir-json.js';
import type { EncounterKind } from '../read/recognisers.js';
import { identifierAliases, idOf, patientReference, referenceKey } from '../read/references.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';
import type { DataQualityFinding } from '../results.js';
import type { PeriodGrid } from '../vocabulary/period.js';
import { IDENTIFIER_SYSTEMS, TDDUI_PROFILES } from '../vocabulary/systems.js';
import { parseFhirTime, resolveInstant } from '../vocabulary/time.js';

// ---- Recognition and extraction ---------------------------------------------------------------------

/** The default recogniser of Encounters: an agenda event, a séjour, or neither (data-model.md). */
export function encounterKind(encounter: Readonly<Record<string, unknown>>): EncounterKind {
  const e = encounter as Identified & { partOf?: unknown; serviceProvider?: unknown };
  if (hasProfile(e, TDDUI_PROFILES.evenement) || hasIdentifierSystem(e, IDENTIFIER_SYSTEMS.evenement))
    return 'event';
  if (hasProfile(e, TDDUI_PROFILES.sejour) || hasIdentifierSystem(e, IDENTIFIER_SYSTEMS.sejour))
    return 'sejour';
  if (e.partOf !== undefined) return 'event-if-part-of-sejour';
  if (e.serviceProvider !== undefined) return 'sejour';
  return 'other';
}

/** A séjour Encounter (`subject`, `serviceProvider`, `period`), kept with its `partOf` (see above). */
export function encounterSejourFact(
  resource: Json,
  key: string,
  aliases: string[],
  partOf: string | null,
): SejourFact {
  const subject = patientReference(resource.subject);
  return sejourFact(resource, key, aliases, 'Encounter', subject, resource.serviceProvider, partOf);
}

/** An EpisodeOfCare (`patient`, `managingOrganization`, `period`). */
export function episodeOfCareFact(resource: Json, key: string, aliases: string[]): SejourFact {
  const subject = referenceKey(resource.patient);
  return sejourFact(resource, key, aliases, 'EpisodeOfCare', subject, resource.managingOrganization, null);
}

function sejourFact(
  resource: Json,
  key: string,
  aliases: string[],
  resourceType: SejourFact['resourceType'],
  subject: string | null,
  provider: unknown,
  partOf: string | null,
): SejourFact {
  // The key order is the projection's: facts are sealed in evidence as JSON.
  return {
    k: 'sejour',
    key,
    aliases: aliases.concat(identifierAliases(resource.identifier)),
    resourceType,
    subject,
    provider: referenceKey(provider),
    status: str(resource.status),
    start: str(field(resource.period, 'start')),
    end: str(field(resource.period, 'end')),
    partOf,
  };
}

// ---- Streaming: a candidate séjour, its times parsed once ---------------------------------------------

export interface SejourCandidate {
  fact: SejourFact;
  /** Parsed start and end (`NaN` when absent); floating values are resolved in the ESSMS's zone later. */
  start: number;
  end: number;
  /** The record's occurrence (resolve/record-versions.ts): only the version of its Type/id used counts. */
  occurrence: number;
}

export function sejourCandidate(fact: SejourFact, occurrence: number): SejourCandidate {
  return { fact, start: parseOr(fact.start, 'start'), end: parseOr(fact.end, 'end'), occurrence };
}

function parseOr(text: string | null, boundary: 'start' | 'end'): number {
  return text === null ? Number.NaN : parseFhirTime(text, boundary);
}

// ---- Once everything is read ------------------------------------------------------------------------

const EXCLUDED_SEJOUR_STATUSES = new Set(['planned', 'cancelled', 'entered-in-error']);
const EXCLUDED_EPISODE_STATUSES = new Set(['planned', 'cancelled', 'entered-in-error', 'waitlist']);

/** A séjour of a person at a reported ESSMS, its ends as instants in the ESSMS's zone. */
export interface PlacedSejour {
  establishment: Establishment;
  start: number;
  /** `+Infinity` while the séjour is open. */
  end: number;
}

/**
 * Gives a séjour to its person, or reports why it cannot count: excluded status (silently), no person,
 * no reported ESSMS, no start, an end before the start.
 */
export function placeSejour(
  s: SejourCandidate,
  personOf: (key: string) => Person | null,
  establishmentOf: (key: string | null) => Establishment | null,
  findings: Findings,
): void {
  const f = s.fact;
  const excluded = f.resourceType === 'EpisodeOfCare' ? EXCLUDED_EPISODE_STATUSES : EXCLUDED_SEJOUR_STATUSES;
  if (f.status !== null && excluded.has(f.status)) return;
  const finding = (code: DataQualityFinding['code'], message: string): void => {
    findings.errors.push({ code, resourceType: f.resourceType, id: idOf(f.key), message });
  };
  if (f.subject === null) return finding('unknown-subject', 'séjour without a person (subject/patient)');
  const person = personOf(f.subject);
  // Séjour facts never register their subject in the accumulator's per-person state (only events,
  // updates, projets personnalisés and usage events do), so an unresolvable subject must be reported here:
  // data-model.md "a reference to a record that is not in the input is reported (unknown-subject)".
  if (person === null)
    return finding('unknown-subject', 'refers to a person whose Patient record is not in the input');
  const establishment = establishmentOf(f.provider);
  if (establishment === null) {
    return finding(
      'unknown-establishment',
      f.provider === null
        ? 'séjour without an establishment (serviceProvider/managingOrganization)'
        : 'séjour provider is not an Organization with a usable FINESS in the input',
    );
  }
  if (Number.isNaN(s.start)) return finding('period-missing', 'séjour has no start date: not counted');
  const start = resolveInstant(s.start, establishment.timezone);
  const end = Number.isNaN(s.end) ? Number.POSITIVE_INFINITY : resolveInstant(s.end, establishment.timezone);
  if (end < start) return finding('period-inverted', 'séjour ends before it starts: not counted');
  person.sejours.push({ establishment, start, end });
}

/** Who is accompanied, per ESSMS, in P and in the calendar year of P's last day (the file active). */
export function countAccompanied(persons: Iterable<Person>, grid: PeriodGrid): void {
  for (const person of persons) {
    for (const s of person.sejours) {
      const e = s.establishment;
      const zone = grid.zones[e.zone]!;
      if (s.start < zone.end && s.end >= zone.start) e.accompaniedInPeriod.add(person.id);
      if (s.start < zone.yearEnd && s.end >= zone.yearStart) e.accompaniedInYear.add(person.id);
    }
  }
}
