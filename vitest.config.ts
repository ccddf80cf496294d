import { defineConfig } from 'vitest/config';

// One Vitest run over every workspace project (trpc-style `projects`): unit tests live beside the code,
// cross-package end-to-end tests in `test/`.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples', 'test'],
  },
});
