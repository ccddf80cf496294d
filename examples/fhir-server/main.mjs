#!/usr/bin/env node
// @ts-check
// Serves a directory of NDJSON files as a read-only FHIR R4 server on loopback, for the demo:
//   node examples/fhir-server/main.mjs --data DIR [--port 0] [--bearer-token-env NAME]
// Prints one JSON line `{"url": "http://127.0.0.1:<port>/fhir"}` once listening; stops cleanly on SIGINT/SIGTERM.
// The optional bearer token is read from the named environment variable: secrets never go in arguments.

import { announceAndServe, parseExampleArgs, portArgument, usageError } from '../support/example-cli.mjs';
import { startFhirServer } from './fhir-server.mjs';

const USAGE = 'usage: node examples/fhir-server/main.mjs --data DIR [--port N] [--bearer-token-env NAME]';

const values = parseExampleArgs(
  {
    data: { type: 'string' },
    port: { type: 'string', default: '0' },
    'bearer-token-env': { type: 'string' },
  },
  USAGE,
);
const port = portArgument(values.port, USAGE);
const dataDir = values.data ?? usageError(USAGE);
const tokenEnv = values['bearer-token-env'];
const bearerToken = tokenEnv === undefined ? undefined : process.env[tokenEnv];
if (tokenEnv !== undefined && (bearerToken === undefined || bearerToken === '')) {
  usageError(`the environment variable ${tokenEnv} is not set`);
}

let server;
try {
  server = await startFhirServer({
    dataDir,
    port,
    ...(bearerToken === undefined ? {} : { bearerToken }),
  });
} catch (error) {
  process.stderr.write(
    `cannot start the FHIR server: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
announceAndServe(server);
