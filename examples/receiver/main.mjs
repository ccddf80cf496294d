#!/usr/bin/env node
// @ts-check
/**
 * Runs the reference ARS receiver:
 *   node examples/receiver/main.mjs --data-dir DIR [--port 0] [--host 127.0.0.1]
 *        [--faults '[{"status":503,"retryAfter":1}]'] [--bearer-token-file FILE]
 * Prints one JSON line on stdout, `{"url": "http://127.0.0.1:PORT/fhir"}`, then serves until SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createReceiver } from './receiver.mjs';

const USAGE =
  'usage: node examples/receiver/main.mjs --data-dir DIR [--port N] [--host ADDR] [--faults JSON] [--bearer-token-file FILE]';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        faults: { type: 'string' },
        'bearer-token-file': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = values['data-dir'];
  const port = Number(values.port);
  if (dataDir === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  let faults = [];
  if (values.faults !== undefined) {
    try {
      faults = JSON.parse(values.faults);
    } catch {
      process.stderr.write('--faults must be JSON (an array of faults)\n');
      process.exit(2);
    }
  }
  const bearerToken =
    values['bearer-token-file'] === undefined
      ? undefined
      : (await readFile(values['bearer-token-file'], 'utf8')).trim();

  const receiver = await createReceiver({
    dataDir,
    port,
    host: values.host ?? '127.0.0.1',
    faults,
    ...(bearerToken === undefined ? {} : { bearerToken }),
  });
  process.stdout.write(`${JSON.stringify({ url: receiver.url })}\n`);

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    receiver.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`receiver: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
