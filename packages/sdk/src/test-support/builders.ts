/**
 * Small builders of TDDUI-shaped FHIR R4 resources for the SDK's tests. They write the records the way a
 * DUI following the ANS TDDUI guide would (profiles, identifier systems, references), independently of the
 * SDK's own constants, so that a typo in the engine's recognisers makes a test fail instead of agreeing
 * with itself. Only the fields the rules read are filled in, plus what makes them look like real records.
 */

export const TDDUI = 'https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition';
export const PROFILE = {
  sejour: `${TDDUI}/tddui-encounter-sejour`,
  evenement: `${TDDUI}/tddui-encounter-evenement`,
  projetPersonnalise: `${TDDUI}/tddui-careplan-projet-personnalise`,
  projetPersonnaliseLegacy: `${TDDUI}/tddui-careplan-projet-perso`,
} as const;
export const SYSTEM = {
  finess: 'https://finess.esante.gouv.fr',
  idNatSt: 'urn:oid:1.2.250.1.71.4.2.2',
  insNir: 'urn:oid:1.2.250.1.213.1.4.8',
  insNia: 'urn:oid:1.2.250.1.213.1.4.9',
  localUsager: 'https://identifiant-medicosocial-localusager.esante.gouv.fr',
  sejour: 'https://identifiant-medicosocial-sejour.esante.gouv.fr',
  evenement: 'https://identifiant-medicosocial-evenement.esante.gouv.fr',
  projetPersonnalise: 'https://identifiant-medicosocial-projetpersonnalise.esante.gouv.fr',
  projetPersonnaliseType: 'https://smt.esante.gouv.fr/fhir/CodeSystem/tre-r390-type-projet-personnalise',
  usageEvent: 'https://esms-numerique.github.io/fhir/CodeSystem/usage-event',
} as const;

/** Valid FINESS numbers (Luhn key checked in finess.test.ts), one per time zone the rules know. */
export const FINESS = {
  paris: '750000010',
  paris2: '750000028',
  paris3: '750000036',
  /** Organisme gestionnaire (FINESS juridique) of the Paris ESSMS. */
  parisOg: '750000101',
  reunion: '970400024',
  reunionOg: '970408589',
  guadeloupe: '970100012',
  martinique: '970200010',
  guyane: '970300018',
  stPierre: '970500013',
  mayotte: '980500011',
  wallis: '980600019',
  /** `98` + `07…`: an overseas number of no known territory. */
  unknownOverseas: '980700017',
  corsica: '2A0000010',
  /** The TDDUI examples' FINESS: well formed, but its Luhn key fails. */
  tddui: '480787529',
} as const;

type Json = Record<string, unknown>;
type OrgType = 'FINEG' | 'FINEJ' | 'untyped' | 'idNatSt';

export interface OrganisationInput {
  id: string;
  finess?: string | undefined;
  /** How the FINESS is carried; default `FINEG`. */
  type?: OrgType | undefined;
  /** Id of the organisme gestionnaire's Organization. */
  partOf?: string | undefined;
  name?: string | undefined;
}

export function organisation(input: OrganisationInput): Json {
  const type = input.type ?? 'FINEG';
  const identifier: Json[] = [];
  if (input.finess !== undefined) {
    if (type === 'idNatSt') {
      identifier.push({
        type: {
          coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'IDNST' }],
        },
        system: SYSTEM.idNatSt,
        value: `1${input.finess}`,
      });
    } else {
      identifier.push({
        ...(type === 'untyped'
          ? {}
          : {
              type: {
                coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: type }],
              },
            }),
        system: SYSTEM.finess,
        value: input.finess,
      });
    }
  }
  return {
    resourceType: 'Organization',
    id: input.id,
    meta: { profile: [`${TDDUI}/tddui-organization`] },
    identifier,
    name: input.name ?? `ESSMS ${input.id}`,
    ...(input.partOf === undefined ? {} : { partOf: { reference: `Organization/${input.partOf}` } }),
  };
}

export interface PatientInput {
  id: string;
  /** An INS-NIR typed `INS-NIR` (the way FR Core writes a qualified INS). */
  ins?: string | undefined;
  insNia?: string | undefined;
  /** Extra identifiers, written as given. */
  identifiers?: Json[] | undefined;
  links?: { other: string; type: 'replaced-by' | 'replaces' | 'seealso' | 'refer' }[] | undefined;
  lastUpdated?: string | undefined;
}

export function insIdentifier(value: string, typeCode: string | null = 'INS-NIR'): Json {
  return {
    use: 'official',
    ...(typeCode === null
      ? {}
      : {
          type: {
            coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: typeCode }],
          },
        }),
    system: SYSTEM.insNir,
    value,
  };
}

export function patient(input: PatientInput): Json {
  const identifier: Json[] = [
    {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }] },
      system: SYSTEM.localUsager,
      value: `3${FINESS.paris}/${input.id}`,
    },
  ];
  if (input.ins !== undefined) identifier.push(insIdentifier(input.ins));
  if (input.insNia !== undefined) identifier.push({ system: SYSTEM.insNia, value: input.insNia });
  identifier.push(...(input.identifiers ?? []));
  return {
    resourceType: 'Patient',
    id: input.id,
    meta: {
      profile: [`${TDDUI}/tddui-patient`],
      ...(input.lastUpdated === undefined ? {} : { lastUpdated: input.lastUpdated }),
    },
    identifier,
    ...(input.links === undefined
      ? {}
      : { link: input.links.map((l) => ({ other: { reference: `Patient/${l.other}` }, type: l.type })) }),
  };
}

export interface SejourInput {
  id: string;
  patient: string;
  org: string;
  start?: string | undefined;
  end?: string | undefined;
  status?: string | undefined;
  /** How it is recognised as a séjour; default the TDDUI profile. */
  via?: 'profile' | 'identifier' | 'fallback' | undefined;
  lastUpdated?: string | undefined;
}

const HOME_HEALTH = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' };

/** The head of a TDDUI Encounter: its type and id, its profile (`via` profile) or local identifier. */
function tdduiEncounter(
  input: { id: string; lastUpdated?: string | undefined },
  via: string,
  profile: string,
  system: string,
): Json {
  const meta: Json = {};
  if (via === 'profile') meta.profile = [profile];
  if (input.lastUpdated !== undefined) meta.lastUpdated = input.lastUpdated;
  return {
    resourceType: 'Encounter',
    id: input.id,
    ...(Object.keys(meta).length === 0 ? {} : { meta }),
    ...(via === 'identifier' ? { identifier: [{ system, value: `3${FINESS.paris}/${input.id}` }] } : {}),
  };
}

export function sejour(input: SejourInput): Json {
  const via = input.via ?? 'profile';
  const period: Json = {};
  if (input.start !== undefined) period.start = input.start;
  if (input.end !== undefined) period.end = input.end;
  return {
    ...tdduiEncounter(input, via, PROFILE.sejour, SYSTEM.sejour),
    status: input.status ?? 'in-progress',
    class: HOME_HEALTH,
    subject: { reference: `Patient/${input.patient}` },
    period,
    serviceProvider: { reference: `Organization/${input.org}` },
  };
}

export interface EpisodeInput {
  id: string;
  patient: string;
  org: string;
  start?: string | undefined;
  end?: string | undefined;
  status?: string | undefined;
}

export function episodeOfCare(input: EpisodeInput): Json {
  const period: Json = {};
  if (input.start !== undefined) period.start = input.start;
  if (input.end !== undefined) period.end = input.end;
  return {
    resourceType: 'EpisodeOfCare',
    id: input.id,
    status: input.status ?? 'active',
    patient: { reference: `Patient/${input.patient}` },
    managingOrganization: { reference: `Organization/${input.org}` },
    period,
  };
}

export interface EvenementInput {
  id: string;
  patient: string;
  start: string;
  status?: string | undefined;
  /** How it is recognised as an agenda event; default the TDDUI profile. */
  via?: 'profile' | 'identifier' | 'partOf' | undefined;
  /** Id of the séjour Encounter it belongs to (TDDUI events have one). */
  partOf?: string | undefined;
  lastUpdated?: string | undefined;
}

export function evenement(input: EvenementInput): Json {
  const via = input.via ?? 'profile';
  return {
    ...tdduiEncounter(input, via, PROFILE.evenement, SYSTEM.evenement),
    status: input.status ?? 'finished',
    class: HOME_HEALTH,
    subject: { reference: `Patient/${input.patient}` },
    period: { start: input.start },
    ...(input.partOf === undefined ? {} : { partOf: { reference: `Encounter/${input.partOf}` } }),
  };
}

export function appointment(input: { id: string; patient: string; start: string; status?: string }): Json {
  return {
    resourceType: 'Appointment',
    id: input.id,
    status: input.status ?? 'booked',
    start: input.start,
    participant: [
      { actor: { reference: 'Practitioner/p1' }, status: 'accepted' },
      { actor: { reference: `Patient/${input.patient}` }, status: 'accepted' },
    ],
  };
}

export interface ProjetPersonnaliseInput {
  id: string;
  patient: string;
  status?: string | undefined;
  created?: string | undefined;
  end?: string | undefined;
  /** How it is recognised; `none` is a plain CarePlan. Default the TDDUI profile. */
  via?: 'profile' | 'legacy' | 'identifier' | 'category' | 'none' | undefined;
  lastUpdated?: string | undefined;
}

export function projetPersonnalise(input: ProjetPersonnaliseInput): Json {
  const via = input.via ?? 'profile';
  const meta: Json = {};
  if (via === 'profile') meta.profile = [PROFILE.projetPersonnalise];
  if (via === 'legacy') meta.profile = [PROFILE.projetPersonnaliseLegacy];
  if (input.lastUpdated !== undefined) meta.lastUpdated = input.lastUpdated;
  return {
    resourceType: 'CarePlan',
    id: input.id,
    ...(Object.keys(meta).length === 0 ? {} : { meta }),
    ...(via === 'identifier'
      ? { identifier: [{ system: SYSTEM.projetPersonnalise, value: `3${FINESS.paris}/${input.id}-PPER` }] }
      : {}),
    ...(via === 'category'
      ? { category: [{ coding: [{ system: SYSTEM.projetPersonnaliseType, code: '01' }] }] }
      : {}),
    status: input.status ?? 'active',
    intent: 'plan',
    subject: { reference: `Patient/${input.patient}` },
    ...(input.created === undefined ? {} : { created: input.created }),
    ...(input.end === undefined ? {} : { period: { end: input.end } }),
  };
}

export type UsageKind =
  'mssante-message-sent' | 'dmp-document-fed' | 'e-prescription-imported' | 'e-parcours-exchange';

export interface UsageInput {
  id: string;
  kind: UsageKind;
  recorded: string;
  /** `agent.who`: an Organization id, or a FINESS identifier. Absent: attributed through the séjours. */
  org?: string | { finess: string } | undefined;
  patient?: string | undefined;
  outcome?: string | undefined;
}

/** A usage event as data-model.md defines it (written by hand, not with the SDK's own builder). */
export function usage(input: UsageInput): Json {
  const org = input.org;
  return {
    resourceType: 'AuditEvent',
    id: input.id,
    type: { system: SYSTEM.usageEvent, code: input.kind },
    action: 'E',
    recorded: input.recorded,
    outcome: input.outcome ?? '0',
    agent:
      org === undefined
        ? [{ requestor: true, who: { display: 'DUI' } }]
        : [
            {
              requestor: false,
              who:
                typeof org === 'string'
                  ? { reference: `Organization/${org}` }
                  : { identifier: { system: SYSTEM.finess, value: org.finess } },
            },
          ],
    source: { observer: { display: 'DUI' } },
    ...(input.patient === undefined ? {} : { entity: [{ what: { reference: `Patient/${input.patient}` } }] }),
  };
}

/** An MSSanté message sent by the ESSMS `essms` in February 2024 (P for D = 2024-04-01). */
export function message(id: string, extra: Partial<UsageInput> = {}): Json {
  return usage({
    id,
    kind: 'mssante-message-sent',
    recorded: '2024-02-01T10:00:00+01:00',
    org: 'essms',
    ...extra,
  });
}

/** A document fed to the DMP of person `p` by the ESSMS `essms` in February 2024. */
export function dmpFeed(id: string, extra: Partial<UsageInput> = {}): Json {
  return usage({
    id,
    kind: 'dmp-document-fed',
    recorded: '2024-02-01T10:00:00+01:00',
    org: 'essms',
    patient: 'p',
    ...extra,
  });
}

/** An AuditEvent recording a change (or a read) of a person's record: the history of updates. */
export function auditUpdate(input: {
  id: string;
  patient: string;
  recorded: string;
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  outcome?: string;
}): Json {
  return {
    resourceType: 'AuditEvent',
    id: input.id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    action: input.action ?? 'U',
    recorded: input.recorded,
    outcome: input.outcome ?? '0',
    agent: [{ requestor: true, who: { display: 'DUI' } }],
    source: { observer: { display: 'DUI' } },
    entity: [{ what: { reference: `Patient/${input.patient}` } }],
  };
}

/** Any other record about a person (an Observation, a DocumentReference…), only to carry meta.lastUpdated. */
export function recordAbout(input: {
  resourceType: string;
  id: string;
  patient: string;
  lastUpdated: string;
  field?: 'subject' | 'patient';
}): Json {
  return {
    resourceType: input.resourceType,
    id: input.id,
    meta: { lastUpdated: input.lastUpdated },
    status: 'final',
    [input.field ?? 'subject']: { reference: `Patient/${input.patient}` },
  };
}

/** A collection Bundle of the resources, each with a `Type/id` full URL. */
export function bundle(resources: Json[], type = 'collection'): Json {
  return {
    resourceType: 'Bundle',
    type,
    entry: resources.map((r) => ({
      fullUrl: `https://dui.example/fhir/${String(r.resourceType)}/${String(r.id)}`,
      resource: r,
    })),
  };
}
