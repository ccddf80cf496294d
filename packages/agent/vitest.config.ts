import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Unit tests run against the SDK's source, so they need no build step.
    alias: { '@esms-numerique/sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) },
  },
  test: { name: 'agent', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
