/**
 * Every resource type the indicator rules read (data-model.md): ESSMS, usagers, séjours and agenda events
 * (Encounter, EpisodeOfCare, Appointment), projets personnalisés (CarePlan), usage events and history (AuditEvent).
 * Organization and Patient come first so that the SDK meets them before the records that point to them.
 */
export const FHIR_SEARCH_RESOURCE_TYPES = [
  'Organization',
  'Patient',
  'Encounter',
  'EpisodeOfCare',
  'Appointment',
  'CarePlan',
  'AuditEvent',
] as const;

/** Records per page asked of the server (`_count`); servers may cap it lower. */
export const FHIR_DEFAULT_PAGE_SIZE = 500;

/**
 * Top-level elements kept per type when `useElements` is on (`_elements`). Each list holds every field the rules
 * and the default recognisers read (data-model.md, indicators.md): identity and references, statuses, dates,
 * kinds, plus `meta` (profiles, `lastUpdated` for "updated in P") and `extension`/`modifierExtension` that an
 * editor's recogniser may use. `id` and `resourceType` always come back.
 *
 * Off by default, because it is only safe while these lists stay a superset of what the SDK and the configured
 * recognisers read: a recogniser that looks at a field missing here would silently change figures, and a server
 * that applies `_elements` loosely could drop fields. Turn it on for large servers where transfer time dominates;
 * it also keeps names, addresses and free text of Patients off the wire.
 */
export const FHIR_SEARCH_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  Organization: ['meta', 'extension', 'identifier', 'active', 'type', 'name', 'partOf'],
  Patient: ['meta', 'extension', 'modifierExtension', 'identifier', 'active', 'link', 'managingOrganization'],
  Encounter: [
    'meta',
    'extension',
    'modifierExtension',
    'identifier',
    'status',
    'class',
    'type',
    'serviceType',
    'subject',
    'episodeOfCare',
    'participant',
    'period',
    'serviceProvider',
    'partOf',
  ],
  EpisodeOfCare: [
    'meta',
    'extension',
    'modifierExtension',
    'identifier',
    'status',
    'type',
    'patient',
    'managingOrganization',
    'period',
  ],
  Appointment: [
    'meta',
    'extension',
    'modifierExtension',
    'identifier',
    'status',
    'serviceType',
    'appointmentType',
    'start',
    'end',
    'created',
    'participant',
  ],
  CarePlan: [
    'meta',
    'extension',
    'modifierExtension',
    'identifier',
    'status',
    'intent',
    'category',
    'subject',
    'period',
    'created',
    'author',
  ],
  AuditEvent: [
    'meta',
    'extension',
    'modifierExtension',
    'type',
    'subtype',
    'action',
    'period',
    'recorded',
    'outcome',
    'agent',
    'source',
    'entity',
  ],
};

/** One search to run to its last page. */
export interface PlannedSearch {
  resourceType: string;
  /** Query parameters of the first page (`_count` included). */
  params: Record<string, string>;
  /** Searches with the same key may return the same records: each id is yielded once across them. */
  dedupeKey?: string | undefined;
}

export interface SearchPlanOptions {
  resourceTypes: readonly string[];
  pageSize: number;
  useElements: boolean;
  auditEventsSince?: string | undefined;
  encounterEventsSince?: string | undefined;
}

/**
 * The searches of one run. Everything is read in full, except where a lower bound cannot change a figure:
 *
 * - Organizations, Patients, séjours (Encounter, EpisodeOfCare) and CarePlans: in full. The rules need their whole
 *   history (a séjour begun years before P, a projet personnalisé created long ago, a Patient's links), and any
 *   record about a person updated in P counts as an update, whatever its dates. Encounter mixes séjours and agenda
 *   events, so it cannot be bounded either. This is why there is no general `since` option.
 * - AuditEvent: `date=ge<auditEventsSince>` (the `recorded` instant). Usage events and history entries only count
 *   when recorded in the window; AuditEvents are not "records about the person" by subject, so older ones change
 *   nothing. The runner passes the start of the union of every window it computes (P, and the project start for
 *   the cumulative e-parcours count), a day early so that no time zone loses an event.
 * - Appointment (agenda events): bounded by `encounterEventsSince`, as two searches whose union is exact:
 *   `date=ge…` (events that start in the window) and `_lastUpdated=ge…` (older events updated in the window
 *   still count as updates of their person, and later ones feed the `history-missing` check). Ids are deduplicated.
 */
export function planSearches(options: SearchPlanOptions): PlannedSearch[] {
  const searches: PlannedSearch[] = [];
  for (const resourceType of options.resourceTypes) {
    const base: Record<string, string> = { _count: String(options.pageSize) };
    const elements = FHIR_SEARCH_ELEMENTS[resourceType];
    if (options.useElements && elements !== undefined) base['_elements'] = elements.join(',');
    if (resourceType === 'AuditEvent' && options.auditEventsSince !== undefined) {
      searches.push({ resourceType, params: { ...base, date: `ge${options.auditEventsSince}` } });
    } else if (resourceType === 'Appointment' && options.encounterEventsSince !== undefined) {
      const dedupeKey = resourceType;
      searches.push({
        resourceType,
        params: { ...base, date: `ge${options.encounterEventsSince}` },
        dedupeKey,
      });
      searches.push({
        resourceType,
        params: { ...base, _lastUpdated: `ge${options.encounterEventsSince}` },
        dedupeKey,
      });
    } else {
      searches.push({ resourceType, params: base });
    }
  }
  return searches;
}
