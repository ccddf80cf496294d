import type { AuditEvent } from 'fhir/r4.js';
import { IDENTIFIER_SYSTEMS, USAGE_EVENT_SYSTEM, type UsageEventKind } from '../vocabulary/systems.js';

/**
 * Builders for usage events (data-model.md "Usage events"): an editor turns one line of its own log into
 * the AuditEvent the engine recognises, in one call.
 */
export interface UsageEventInput {
  kind: UsageEventKind;
  /** Logical id of the AuditEvent (unique in the DUI). */
  id: string;
  /** The instant it happened, with an offset (`2024-02-03T10:15:00+04:00`). */
  recorded: string;
  /** The ESSMS where it happened: an Organization id, or its FINESS géographique. */
  establishment?: { organizationId: string } | { finess: string } | undefined;
  /** The usager it is about (`Patient` id); required for `dmp-document-fed`. */
  patientId?: string | undefined;
  /** Default `true`; a failed send is recorded with outcome `8` and does not count. */
  success?: boolean | undefined;
}

const DISPLAY: Record<UsageEventKind, string> = {
  'mssante-message-sent': 'Message MSSanté envoyé',
  'dmp-document-fed': 'Document versé au DMP',
  'e-prescription-imported': 'E-prescription importée',
  'e-parcours-exchange': 'Échange avec la plateforme e-parcours',
};

/** Builds a usage event AuditEvent. */
export function buildUsageEvent(input: UsageEventInput): AuditEvent {
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: input.id,
    type: { system: USAGE_EVENT_SYSTEM, code: input.kind, display: DISPLAY[input.kind] },
    // 'E' (execute): sending or importing is not a create/update/delete of the DUI record itself.
    action: 'E',
    recorded: input.recorded,
    outcome: input.success === false ? '8' : '0',
    agent: [],
    source: { observer: { display: 'DUI' } },
  };
  const establishment = input.establishment;
  if (establishment !== undefined) {
    event.agent.push({
      requestor: false,
      who:
        'organizationId' in establishment
          ? { reference: `Organization/${establishment.organizationId}` }
          : { identifier: { system: IDENTIFIER_SYSTEMS.finess, value: establishment.finess } },
    });
  } else {
    event.agent.push({ requestor: true, who: { display: 'DUI' } });
  }
  if (input.patientId !== undefined) event.entity = [{ what: { reference: `Patient/${input.patientId}` } }];
  return event;
}

/** Shorthands for the four kinds. */
export const usageEvents = {
  mssanteMessageSent: (input: Omit<UsageEventInput, 'kind'>): AuditEvent =>
    buildUsageEvent({ ...input, kind: 'mssante-message-sent' }),
  dmpDocumentFed: (input: Omit<UsageEventInput, 'kind'> & { patientId: string }): AuditEvent =>
    buildUsageEvent({ ...input, kind: 'dmp-document-fed' }),
  ePrescriptionImported: (input: Omit<UsageEventInput, 'kind'>): AuditEvent =>
    buildUsageEvent({ ...input, kind: 'e-prescription-imported' }),
  eParcoursExchange: (input: Omit<UsageEventInput, 'kind'>): AuditEvent =>
    buildUsageEvent({ ...input, kind: 'e-parcours-exchange' }),
};
