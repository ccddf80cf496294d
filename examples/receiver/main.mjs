#!/usr/bin/env node
// @ts-check
/**
 * Runs the reference ARS receiver:
 *   node examples/receiver/main.mjs --data-dir DIR [--port 0] [--host 127.0.0.1]
 *        [--faults '[{"status":503,"retryAfter":1}]'] [--bearer-token-file FILE]
 * Prints one JSON line on stdout, `{"url": "http://127.0.0.1:PORT/fhir"}`, then serves until SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { announceAndServe, parseExampleArgs, portArgument, usageError } from '../support/example-cli.mjs';
import { createReceiver } from './receiver.mjs';

const USAGE =
  'usage: node examples/receiver/main.mjs --data-dir DIR [--port N] [--host ADDR] [--faults JSON] [--bearer-token-file FILE]';

async function main() {
  const values = parseExampleArgs(
    {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      faults: { type: 'string' },
      'bearer-token-file': { type: 'string' },
    },
    USAGE,
  );
  const port = portArgument(values.port, USAGE);
  const dataDir = values['data-dir'] ?? usageError(USAGE);
  /** @type {import('./receiver.mjs').Fault[]} */
  let faults = [];
  if (values.faults !== undefined) {
    try {
      /** @type {unknown} */
      const parsed = JSON.parse(values.faults);
      faults = /** @type {import('./receiver.mjs').Fault[]} */ (parsed);
    } catch {
      usageError('--faults must be JSON (an array of faults)');
    }
  }
  const bearerToken =
    values['bearer-token-file'] === undefined
      ? undefined
      : (await readFile(values['bearer-token-file'], 'utf8')).trim();

  announceAndServe(
    await createReceiver({
      dataDir,
      port,
      host: values.host ?? '127.0.0.1',
      faults,
      ...(bearerToken === undefined ? {} : { bearerToken }),
    }),
  );
}

main().catch((error) => {
  process.stderr.write(`receiver: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
