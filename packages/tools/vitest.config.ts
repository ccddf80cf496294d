import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@esms-numerique/sdk': new URL('../sdk/src/index.ts', import.meta.url).pathname } },
  test: { name: 'tools', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
