import * as z from 'zod';
import {
  DEFAULT_SOURCE_CONCURRENCY,
  DEFAULT_SOURCE_PAGE_SIZE,
  DEFAULT_SOURCE_TIMEOUT_MS,
  MAX_SOURCE_CONCURRENCY,
  MAX_SOURCE_PAGE_SIZE,
  MAX_TIMEOUT_MS,
} from './config-defaults.js';
import { authSchema } from './auth-schema.js';
import { httpUrlSchema, pathSchema, positiveIntSchema } from './schema-primitives.js';

const SINCE_REMOVED =
  'is no longer supported: reading only records updated since a date changed the figures silently; ' +
  'the agent already reads AuditEvents from the computation window only. Remove the key';

/** A DUI's FHIR R4 server, read page by page. */
export const fhirSourceSchema = z.strictObject({
  type: z.literal('fhir'),
  baseUrl: httpUrlSchema,
  auth: authSchema.prefault({ type: 'none' }),
  /** FHIR `_count` per page. */
  pageSize: positiveIntSchema(MAX_SOURCE_PAGE_SIZE).default(DEFAULT_SOURCE_PAGE_SIZE),
  /** Requests in flight at once against this server. */
  concurrency: positiveIntSchema(MAX_SOURCE_CONCURRENCY).default(DEFAULT_SOURCE_CONCURRENCY),
  timeoutMs: positiveIntSchema(MAX_TIMEOUT_MS).default(DEFAULT_SOURCE_TIMEOUT_MS),
  /** `null`: use the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables; https goes through CONNECT. */
  proxy: httpUrlSchema.nullable().default(null),
  /**
   * Removed. It bounded what was read by `_lastUpdated`, which silently changed the figures (a séjour,
   * Patient or CarePlan not touched since was missed; only AuditEvents were bounded, and then too late).
   * The agent bounds AuditEvents by the computation window itself. `null`, which `esms init` used to write,
   * is still accepted (with a warning) so that existing configs load.
   */
  since: z.null({ error: SINCE_REMOVED }).optional(),
});

/** FHIR NDJSON files (FHIR Bulk Data export directories too), JSON Bundles or resources. */
export const ndjsonSourceSchema = z.strictObject({
  type: z.literal('ndjson'),
  /** Files or directories; relative paths are resolved against the config file's directory. */
  paths: z.array(pathSchema).min(1, { error: 'needs at least one file or directory' }),
});

export const sourceSchema = z.discriminatedUnion('type', [fhirSourceSchema, ndjsonSourceSchema]);

export type FhirSourceConfig = z.output<typeof fhirSourceSchema>;
export type NdjsonSourceConfig = z.output<typeof ndjsonSourceSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
