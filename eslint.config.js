// One ESLint config for the whole workspace. Every package's `lint` script is `eslint .` run in
// its own folder; ESLint finds this file by walking up, and the globs below are relative to it.
import { existsSync } from 'node:fs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Optional: lets the Svelte parser see the app's preprocessors and compiler options.
const svelteConfigPath = new URL('./apps/web/svelte.config.js', import.meta.url);
const svelteConfig = existsSync(svelteConfigPath)
  ? (await import(svelteConfigPath.href)).default
  : undefined;

export default defineConfig(
  {
    ignores: [
      '**/node_modules/',
      '**/build/',
      '**/.svelte-kit/',
      '**/dist/',
      '**/data/',
      '**/test-results/',
      '**/playwright-report/',
      '**/coverage/',
    ],
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  // eslint-plugin-svelte 3: `recommended` is the flat config (alias of flat/recommended);
  // `prettier` turns off the formatting rules Prettier owns.
  svelte.configs.recommended,
  svelte.configs.prettier,

  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        // Each file is checked against the tsconfig.json nearest to it.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // "Too few responses" and friends are unions; every consumer must handle every member.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // Fastify plugins and route handlers are async by contract even when they do not await.
      '@typescript-eslint/require-await': 'off',
      // Svelte's onclick={async () => ...} is the normal way to start an action from the UI.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
    },
  },

  // The web app runs in the browser (its config files still run in Node).
  {
    files: ['apps/web/src/**/*'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // Svelte components: the Svelte parser for the markup, typescript-eslint's parser for the
  // <script lang="ts"> blocks.
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },

  // Migrations are frozen in time and must not depend on today's schema types: Kysely<any>.
  {
    files: ['db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // Plain JavaScript (config files, scripts/*.mjs) is not part of any tsconfig: lint it untyped.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
