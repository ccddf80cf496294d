import { KIND_SPECS, type Essms, type OrganismeGestionnaire } from './establishments.js';
import { PROFILE_ORGANIZATION, SYSTEM_FINESS, SYSTEM_FR_CORE_0203, SYSTEM_IDNST } from './fhir-vocabulary.js';
import { DAY_MS, formatLocalInstant } from './local-time.js';
import type { Resource, Clock } from './generator-model.js';

export function organisationGestionnaire(og: OrganismeGestionnaire, clock: Clock): Resource {
  return {
    resourceType: 'Organization',
    id: og.id,
    meta: {
      lastUpdated: formatLocalInstant('Europe/Paris', clock.exportMs - 200 * DAY_MS),
      profile: [PROFILE_ORGANIZATION],
    },
    identifier: [
      {
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'FINEJ' }] },
        system: SYSTEM_FINESS,
        value: og.finessJuridique,
      },
    ],
    active: true,
    name: og.name,
  };
}

export function establishment(e: Essms, clock: Clock): Resource {
  return {
    resourceType: 'Organization',
    id: e.id,
    meta: {
      lastUpdated: formatLocalInstant(e.timeZone, clock.exportMs - 100 * DAY_MS),
      profile: [PROFILE_ORGANIZATION],
    },
    identifier: [
      {
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'FINEG' }] },
        system: SYSTEM_FINESS,
        value: e.finess,
      },
      {
        type: { coding: [{ system: SYSTEM_FR_CORE_0203, code: 'IDNST' }] },
        system: SYSTEM_IDNST,
        value: `1${e.finess}`,
      },
    ],
    active: true,
    type: [{ text: KIND_SPECS[e.kind].label }],
    name: e.name,
    partOf: { reference: `Organization/${e.og.id}` },
  };
}
