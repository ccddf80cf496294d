import * as z from 'zod';
import { secretRefSchema } from '../secrets/secret-ref.js';
import { httpUrlSchema, pathSchema } from './schema-primitives.js';

/**
 * How the agent authenticates to a DUI's FHIR server or to the ARS endpoint (contract.md §4): none, a
 * bearer token, OAuth2 client credentials, or a TLS client certificate (IGC Santé style). Every secret is a
 * `{ env }` or `{ file }` reference.
 */
export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('bearer'), token: secretRefSchema }),
  z.strictObject({
    type: z.literal('oauth2-client-credentials'),
    tokenUrl: httpUrlSchema,
    clientId: z
      .string({ error: 'must be the OAuth2 client id (a string)' })
      .min(1, { error: 'must not be empty' }),
    clientSecret: secretRefSchema,
    /** Space-separated scopes, sent as the `scope` parameter when present. */
    scope: z.string().min(1, { error: 'must not be empty (omit the key instead)' }).optional(),
  }),
  z.strictObject({
    type: z.literal('tls-client-certificate'),
    /** PEM certificate chain of the client. */
    cert: pathSchema,
    /** PEM private key of the client (a secret file: keep it readable only by the agent's user). */
    key: pathSchema,
    /** PEM CA bundle to trust instead of the system's, when the server's chain is private (IGC Santé). */
    ca: pathSchema.optional(),
    /** Passphrase of the private key, when it is encrypted. */
    passphrase: secretRefSchema.optional(),
  }),
]);

export type AuthConfig = z.output<typeof authSchema>;
export type AuthType = AuthConfig['type'];
