/**
 * Identifier systems, profiles and codes the recognisers use (data-model.md). Exported so that an editor
 * can build records the engine recognises, and override recognisers knowingly.
 */

/** The project's own FHIR canonical base. */
export const ESMS_CANONICAL_BASE = 'https://esms-numerique.github.io/fhir';

/** ANS TDDUI implementation guide canonical. */
export const TDDUI_CANONICAL = 'https://interop.esante.gouv.fr/ig/fhir/tddui';

export const TDDUI_PROFILES = {
  sejour: `${TDDUI_CANONICAL}/StructureDefinition/tddui-encounter-sejour`,
  evenement: `${TDDUI_CANONICAL}/StructureDefinition/tddui-encounter-evenement`,
  projetPersonnalise: `${TDDUI_CANONICAL}/StructureDefinition/tddui-careplan-projet-personnalise`,
  /** Older id of the projet personnalisé profile, still found in DUIs built on early ballots. */
  projetPersonnaliseLegacy: `${TDDUI_CANONICAL}/StructureDefinition/tddui-careplan-projet-perso`,
} as const;

export const IDENTIFIER_SYSTEMS = {
  /** INS-NIR, when typed `INS-NIR` (typed `NH` it is a billing number, possibly a parent's). */
  insNir: 'urn:oid:1.2.250.1.213.1.4.8',
  insNia: 'urn:oid:1.2.250.1.213.1.4.9',
  /** Test and demonstration INS systems. */
  insTest: 'urn:oid:1.2.250.1.213.1.4.10',
  insDemo: 'urn:oid:1.2.250.1.213.1.4.11',
  localUsager: 'https://identifiant-medicosocial-localusager.esante.gouv.fr',
  sejour: 'https://identifiant-medicosocial-sejour.esante.gouv.fr',
  evenement: 'https://identifiant-medicosocial-evenement.esante.gouv.fr',
  projetPersonnalise: 'https://identifiant-medicosocial-projetpersonnalise.esante.gouv.fr',
  finess: 'https://finess.esante.gouv.fr',
  /** idNatSt: `1` + FINESS for establishments. */
  idNatSt: 'urn:oid:1.2.250.1.71.4.2.2',
} as const;

/** Code system of the TDDUI projet personnalisé types (category). */
export const PROJET_PERSONNALISE_TYPE_SYSTEM =
  'https://smt.esante.gouv.fr/fhir/CodeSystem/tre-r390-type-projet-personnalise';

/** Identifier type codes on Organization FINESS identifiers. */
export const FINESS_TYPE_GEOGRAPHIQUE = 'FINEG';
export const FINESS_TYPE_JURIDIQUE = 'FINEJ';
export const INS_NIR_TYPE_CODE = 'INS-NIR';

/** Code system of the usage events (data-model.md "Usage events"). */
export const USAGE_EVENT_SYSTEM = `${ESMS_CANONICAL_BASE}/CodeSystem/usage-event`;

export const USAGE_EVENT_KINDS = [
  'mssante-message-sent',
  'dmp-document-fed',
  'e-prescription-imported',
  'e-parcours-exchange',
] as const;
export type UsageEventKind = (typeof USAGE_EVENT_KINDS)[number];

/** Patient.link types that mean "the same person" (`refer` does not). */
export const MERGING_LINK_TYPES: ReadonlySet<string> = new Set(['replaced-by', 'replaces', 'seealso']);
