#!/usr/bin/env node
// Serves a directory of NDJSON files as a read-only FHIR R4 server on loopback, for the demo:
//   node examples/fhir-server/main.mjs --data DIR [--port 0] [--bearer-token-env NAME]
// Prints one JSON line `{"url": "http://127.0.0.1:<port>/fhir"}` once listening; stops cleanly on SIGINT/SIGTERM.
// The optional bearer token is read from the named environment variable: secrets never go in arguments.

import { parseArgs } from 'node:util';
import { startFhirServer } from './fhir-server.mjs';

const USAGE = 'usage: node examples/fhir-server/main.mjs --data DIR [--port N] [--bearer-token-env NAME]';

let values;
try {
  ({ values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string', default: '0' },
      'bearer-token-env': { type: 'string' },
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
  process.exit(0);
}
const port = Number(values.port);
if (values.data === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const tokenEnv = values['bearer-token-env'];
const bearerToken = tokenEnv === undefined ? undefined : process.env[tokenEnv];
if (tokenEnv !== undefined && (bearerToken === undefined || bearerToken === '')) {
  process.stderr.write(`the environment variable ${tokenEnv} is not set\n`);
  process.exit(2);
}

let server;
try {
  server = await startFhirServer({
    dataDir: values.data,
    port,
    ...(bearerToken === undefined ? {} : { bearerToken }),
  });
} catch (error) {
  process.stderr.write(
    `cannot start the FHIR server: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
