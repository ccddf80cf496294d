#!/usr/bin/env node
// The `esms` command. A committed file rather than `dist/main.js` itself, so that the workspace packages
// that depend on the agent get their bin link at `pnpm install`, before anything is built. Installed from
// a packed tarball (`npm install -g`), dist/ is there and this only loads it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('esms: the agent is not built (dist/main.js is missing): run pnpm build\n');
  process.exit(1);
}
await import(main.href);
