import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { '@esms-numerique/sdk': new URL('../packages/sdk/src/index.ts', import.meta.url).pathname },
  },
  test: { name: 'examples', include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 30_000 },
});
