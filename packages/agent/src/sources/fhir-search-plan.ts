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

/**
 * Parameters the agent sends only to read less (`_elements`, the `date` and `_lastUpdated` lower bounds) or to
 * check what it read (`_total`): without any of them the search returns a superset, so the figures stay the
 * same. A server that refuses one (HTTP 400) is asked again without it. In the order they are given up when the
 * server's answer does not name the one it refuses.
 */
export const OPTIONAL_SEARCH_PARAMETERS = ['_total', '_elements', '_lastUpdated', 'date'] as const;

/**
 * The earliest UTC offset in use (UTC+14, Line Islands): a local day starts at the earliest there. A lower bound
 * on a local date D is sent as D's midnight at that offset, so that every zone's whole day D is asked for (a
 * server reads a bare `ge2022-09-01` as UTC midnight, or in its own zone, and an exchange at 00:30 in Paris or
 * 01:30 in Réunion that day would be lost). The SDK then keeps only what falls in each ESSMS's own window.
 */
export const EARLIEST_UTC_OFFSET_HOURS = 14;

/**
 * The instant sent for a lower bound: a local date (`2022-09-01`) becomes `2022-08-31T10:00:00Z`; an instant
 * with an offset is sent as given.
 */
export function serverLowerBound(since: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since)) return since;
  const earliest = Date.parse(`${since}T00:00:00Z`) - EARLIEST_UTC_OFFSET_HOURS * 3_600_000;
  return new Date(earliest).toISOString().replace('.000Z', 'Z');
}

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
  /** Local date (or instant) from which AuditEvents can matter; see `serverLowerBound`. */
  auditEventsSince?: string | undefined;
  /** Local date (or instant) from which agenda events can matter; see `serverLowerBound`. */
  encounterEventsSince?: string | undefined;
}

/**
 * The searches of one run. Everything is read in full, except where a lower bound cannot change a figure:
 *
 * - Organizations, Patients, séjours (Encounter, EpisodeOfCare) and CarePlans: in full. The rules need their whole
 *   history (a séjour begun years before P, a projet personnalisé created long ago, a Patient's links), and any
 *   record about a person updated in P counts as an update, whatever its dates. Encounter mixes séjours and agenda
 *   events, so it cannot be bounded either. This is why there is no general `since` option.
 * - AuditEvent: `date=ge…` (the `recorded` instant). Usage events and history entries only count when recorded
 *   in the window; AuditEvents are not "records about the person" by subject, so older ones change nothing. The
 *   runner passes the first local day of the union of every window it computes (P, and the project start for
 *   the cumulative e-parcours count); `serverLowerBound` makes it cover that day in every time zone.
 * - Appointment (agenda events): bounded by `encounterEventsSince`, as two searches whose union is exact:
 *   `date=ge…` (events that start in the window) and `_lastUpdated=ge…` (older events updated in the window
 *   still count as updates of their person, and later ones feed the `history-missing` check). Ids are deduplicated.
 *
 * Every first page asks `_total=accurate`, so that a read that stops before the total is caught.
 */
export function planSearches(options: SearchPlanOptions): PlannedSearch[] {
  const searches: PlannedSearch[] = [];
  for (const resourceType of options.resourceTypes) {
    const base: Record<string, string> = { _count: String(options.pageSize), _total: 'accurate' };
    const elements = FHIR_SEARCH_ELEMENTS[resourceType];
    if (options.useElements && elements !== undefined) base['_elements'] = elements.join(',');
    if (resourceType === 'AuditEvent' && options.auditEventsSince !== undefined) {
      const since = serverLowerBound(options.auditEventsSince);
      searches.push({ resourceType, params: { ...base, date: `ge${since}` } });
    } else if (resourceType === 'Appointment' && options.encounterEventsSince !== undefined) {
      const since = serverLowerBound(options.encounterEventsSince);
      const dedupeKey = resourceType;
      searches.push({ resourceType, params: { ...base, date: `ge${since}` }, dedupeKey });
      searches.push({ resourceType, params: { ...base, _lastUpdated: `ge${since}` }, dedupeKey });
    } else {
      searches.push({ resourceType, params: base });
    }
  }
  return searches;
}
