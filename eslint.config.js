import js from '@eslint/js';
import globals from 'globals';
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
      // Generated from the examples' JSDoc by their build (the receiver's types, for the tests).
      'examples/**/*.d.mts',
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
    // The examples' JavaScript runs on Node: its globals are known to no-undef. Every untrusted JSON it reads
    // is `unknown` in its JSDoc and narrowed before use, so the no-unsafe-* rules stay on for it too.
    files: ['examples/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
