import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from './respond.js';

/** The committed description (`packages/agent/openapi.json`), beside `dist/` in the package. */
export const OPENAPI_URL = new URL('../../openapi.json', import.meta.url);

let cached: Promise<string> | undefined;

/** `GET /openapi.json`: the OpenAPI 3.1 description of the service, as committed. */
export async function handleOpenApi(_request: IncomingMessage, response: ServerResponse): Promise<void> {
  cached ??= readFile(OPENAPI_URL, 'utf8');
  sendText(response, 200, await cached, 'application/json; charset=utf-8');
}
