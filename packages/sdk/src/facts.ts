import type { UsageEventKind } from './vocabulary/systems.js';
import type { DataQualityCode, FindingLocation } from './results.js';

/**
 * Facts: the minimal fields the rules read from one input record, and nothing else. The engine turns every
 * record into facts, then counts facts; the same facts, pseudonymised, are the evidence's *projection*,
 * which is why recomputing from a projection gives exactly the figures of the direct computation.
 * Every field is JSON; keys are reference keys (see read/references.ts); times are the record's own strings.
 */
export type Fact =
  | RecordFact
  | OrganisationFact
  | PatientFact
  | SejourFact
  | EventFact
  | ProjetPersonnaliseFact
  | UpdateFact
  | UsageFact
  | ProblemFact
  | TimeFormFact;

/** Where extraction hands its facts (the engine's accumulator, and `onFact`). */
export type EmitFact = (fact: Fact) => void;

/**
 * One record read: the facts that follow, up to the next `record` fact, are this record's. `resourceType`
 * and `id` make its `Type/id` (`id` `null` when it has none: it cannot have duplicates; kept apart so that
 * no key string is built per record), `lastUpdated` is its `meta.lastUpdated`. When the input holds the
 * same `Type/id` twice, only the facts of the latest version count (indicators.md "One Type/id is one
 * record"; resolve/record-versions.ts). Written before a record's first fact; a projection without them
 * (sealed before issue 9) counts every fact.
 */
export interface RecordFact {
  k: 'record';
  resourceType: string;
  id: string | null;
  lastUpdated: string | null;
}

export interface OrganisationFact {
  k: 'organisation';
  key: string;
  aliases: string[];
  /** FINESS géographique (identifier typed FINEG). */
  fineg: string | null;
  /** FINESS juridique (identifier typed FINEJ). */
  finej: string | null;
  /** A FINESS without type, or from an idNatSt identifier (`1` + FINESS). */
  finess: string | null;
  /** The organisme gestionnaire (`Organization.partOf`). */
  partOf: string | null;
  name: string | null;
}

export interface PatientFact {
  k: 'patient';
  key: string;
  aliases: string[];
  /** INS identifiers (`<system>|<value>`), pseudonymised in a projection. */
  ins: string[];
  /** Targets of `Patient.link` of a merging type (replaced-by, replaces, seealso). */
  links: string[];
}

/** A séjour (stay or accompaniment), from an Encounter or an EpisodeOfCare. */
export interface SejourFact {
  k: 'sejour';
  key: string;
  aliases: string[];
  resourceType: 'Encounter' | 'EpisodeOfCare';
  subject: string | null;
  provider: string | null;
  status: string | null;
  start: string | null;
  end: string | null;
  /** Set when the Encounter has a `partOf`: if that points to a séjour, this record is an event instead. */
  partOf: string | null;
}

/** An agenda event of a person. */
export interface EventFact {
  k: 'event';
  record: string;
  resourceType: 'Encounter' | 'Appointment';
  subject: string | null;
  status: string | null;
  start: string | null;
  /** Set when the record is an event only because its `partOf` is a séjour (checked at the end). */
  partOf: string | null;
}

export interface ProjetPersonnaliseFact {
  k: 'projet-personnalise';
  record: string;
  subject: string | null;
  status: string | null;
  created: string | null;
  end: string | null;
}

/** A create/update/delete of a record about the persons named (meta.lastUpdated or an AuditEvent C/U/D). */
export interface UpdateFact {
  k: 'update';
  record: string;
  resourceType: string;
  subjects: string[];
  at: string;
  via: 'last-updated' | 'audit-event';
}

export interface UsageFact {
  k: 'usage';
  record: string;
  kind: UsageEventKind;
  at: string | null;
  success: boolean;
  subject: string | null;
  /** The ESSMS named by `agent[].who`, or `null` to attribute it through the person's séjours. */
  org: string | null;
  /**
   * `true` when `org` comes from an untyped reference (a `urn:uuid:` full URL in a Bundle), which may name a
   * Practitioner or a Device as well as an Organization: it is the ESSMS only if it resolves to an
   * Organization; otherwise the event is attributed through the person's séjours. Omitted when `false`.
   */
  orgUntyped?: true;
  /**
   * The other organisations `agent[].who` names, when it names more than one: the event is attributed only
   * if they are all one ESSMS, or the others are not reported ESSMS (data-model.md: two different ESSMS
   * make it `unattributed-event`). Omitted when there are none.
   */
  otherOrgs?: string[];
}

/** A record that could not be used, with the reason (never its content). */
export interface ProblemFact {
  k: 'problem';
  code: DataQualityCode;
  resourceType: string;
  /** The record's id; absent when it has none. */
  id?: string;
  message: string;
  /** Where it was read: file and line (or byte offset), Bundle entry. */
  location?: FindingLocation;
  /** Other records it concerns (the Bundle holding it), as `Type/id`. */
  related?: string[];
}

/**
 * Time values outside FHIR's grammar but usable (no seconds, more than 9 fractional digits), counted per
 * field while reading (`field` as `Encounter.period.start`, `deviations` the `TIME_DEVIATIONS` bits):
 * one warning per field says how many, so that the DUI editor can fix its export.
 */
export interface TimeFormFact {
  k: 'time-form';
  field: string;
  deviations: number;
  count: number;
}

/**
 * Maps every person and record key of a fact through `pseudonymise` (HMAC in the agent). FINESS numbers,
 * dates, statuses and kinds are kept: they are what recomputation needs and identify nobody.
 */
export function pseudonymiseFact(fact: Fact, pseudonymise: (key: string) => string): Fact {
  const p = (key: string): string => (key.startsWith('finess:') ? key : pseudonymise(key));
  const pn = (key: string | null): string | null => (key === null ? null : p(key));
  switch (fact.k) {
    case 'record':
      // The pseudonym of its whole `Type/id`, as record keys are elsewhere.
      return { ...fact, id: fact.id === null ? null : p(`${fact.resourceType}/${fact.id}`) };
    case 'time-form':
      return fact;
    case 'organisation':
      return { ...fact, key: p(fact.key), aliases: fact.aliases.map(p), partOf: pn(fact.partOf) };
    case 'patient':
      return {
        ...fact,
        key: p(fact.key),
        aliases: fact.aliases.map(p),
        ins: fact.ins.map(p),
        links: fact.links.map(p),
      };
    case 'sejour':
      return {
        ...fact,
        key: p(fact.key),
        aliases: fact.aliases.map(p),
        subject: pn(fact.subject),
        provider: pn(fact.provider),
        partOf: pn(fact.partOf),
      };
    case 'event':
      return { ...fact, record: p(fact.record), subject: pn(fact.subject), partOf: pn(fact.partOf) };
    case 'projet-personnalise':
      return { ...fact, record: p(fact.record), subject: pn(fact.subject) };
    case 'update':
      return { ...fact, record: p(fact.record), subjects: fact.subjects.map(p) };
    case 'usage':
      return {
        ...fact,
        record: p(fact.record),
        subject: pn(fact.subject),
        org: pn(fact.org),
        ...(fact.otherOrgs === undefined ? {} : { otherOrgs: fact.otherOrgs.map(p) }),
      };
    case 'problem':
      return {
        ...fact,
        ...(fact.id === undefined ? {} : { id: p(fact.id) }),
        ...(fact.related === undefined ? {} : { related: fact.related.map(p) }),
      };
  }
}
