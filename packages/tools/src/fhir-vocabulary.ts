import { FHIR_SEARCH_RESOURCE_TYPES } from '@esms-numerique/agent/tools-support';

/** FHIR systems and profiles the generator writes (data-model.md) and the DuckDB baseline recognises. */
const TDDUI_SD = 'https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/';

export const PROFILE_SEJOUR = `${TDDUI_SD}tddui-encounter-sejour`;
export const PROFILE_EVENEMENT = `${TDDUI_SD}tddui-encounter-evenement`;
export const PROFILE_PROJET_PERSONNALISE = `${TDDUI_SD}tddui-careplan-projet-personnalise`;
export const PROFILE_PATIENT = `${TDDUI_SD}tddui-patient`;
export const PROFILE_PATIENT_INS = `${TDDUI_SD}tddui-patient-ins`;
export const PROFILE_ORGANIZATION = `${TDDUI_SD}tddui-organization`;

export const SYSTEM_INS_NIR = 'urn:oid:1.2.250.1.213.1.4.8';
export const SYSTEM_INS_NIA = 'urn:oid:1.2.250.1.213.1.4.9';
export const SYSTEM_FR_CORE_0203 = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203';
export const SYSTEM_V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const SYSTEM_LOCAL_USAGER = 'https://identifiant-medicosocial-localusager.esante.gouv.fr';
export const SYSTEM_SEJOUR = 'https://identifiant-medicosocial-sejour.esante.gouv.fr';
export const SYSTEM_EVENEMENT = 'https://identifiant-medicosocial-evenement.esante.gouv.fr';
export const SYSTEM_PROJET_PERSONNALISE =
  'https://identifiant-medicosocial-projetpersonnalise.esante.gouv.fr';
export const SYSTEM_FINESS = 'https://finess.esante.gouv.fr';
export const SYSTEM_IDNST = 'urn:oid:1.2.250.1.71.4.2.2';
export const SYSTEM_USAGE_EVENT = 'https://esms-numerique.github.io/fhir/CodeSystem/usage-event';
export const SYSTEM_AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const SYSTEM_RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const SYSTEM_V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export type UsageEventCode =
  'mssante-message-sent' | 'dmp-document-fed' | 'e-prescription-imported' | 'e-parcours-exchange';

/** The resource types the generator writes, in manifest order: those `esms` reads, in the order it reads them. */
export const GENERATED_RESOURCE_TYPES = FHIR_SEARCH_RESOURCE_TYPES;
export type GeneratedResourceType = (typeof GENERATED_RESOURCE_TYPES)[number];
