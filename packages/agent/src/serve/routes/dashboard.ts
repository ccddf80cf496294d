import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeContext } from '../serve-context.js';
import { ServeError } from '../serve-error.js';

export async function handleDashboard(
  _request: IncomingMessage,
  _response: ServerResponse,
  url: URL,
  _context: ServeContext,
): Promise<void> {
  await Promise.resolve();
  throw new ServeError('not-found', `no such path: ${url.pathname}`);
}
