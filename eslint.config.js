import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      // JavaScript outside examples/ is generated (dist) or a one-line launcher; the examples are code
      // too (issue 14 §6): linted below and type-checked from their JSDoc (examples/tsconfig.json, checkJs).
      '**/*.js',
      '**/*.cjs',
      '**/vitest.config.ts',
      '.demo/**',
      '.bench-data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The examples' JavaScript reads untrusted JSON (FHIR Bundles, NDJSON) typed `any` in its JSDoc and
    // checks every field it uses before trusting it; the unsafe-any rules would flag each such read. Names
    // (Buffer, setTimeout…) are checked by the type checker (checkJs), as typescript-eslint advises.
    files: ['examples/**/*.mjs'],
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
