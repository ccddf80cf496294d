import * as z from 'zod';
import { secretRefSchema } from '../secrets/secret-ref.js';
import { DEFAULT_SERVE_BODY_LIMIT_BYTES, MAX_SERVE_BODY_LIMIT_BYTES } from './config-defaults.js';
import { positiveIntSchema } from './schema-primitives.js';

/**
 * `esms serve` (contract.md §1): the local HTTP service. Without `token`, the service listens on loopback
 * only and serves nothing person-level (explanations, subject lists, worklists); with it, those go to a
 * caller that presents it (`Authorization: Bearer`, or the dashboard's login cookie), and another address
 * may be listened on.
 */
export const serveSchema = z.strictObject({
  /** The service's token, an `{ env }` or `{ file }` reference (at least 16 characters once read). */
  token: secretRefSchema.optional(),
  /** Larger request bodies are refused (413) as soon as the limit is passed. */
  bodyLimitBytes: positiveIntSchema(MAX_SERVE_BODY_LIMIT_BYTES).default(DEFAULT_SERVE_BODY_LIMIT_BYTES),
});

export type ServeConfig = z.output<typeof serveSchema>;
