// Flat config: typescript-eslint (type-aware), Next's rules and React's hooks rules.
import js from '@eslint/js';
import globals from 'globals';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const NEXT_AUTH = { group: ['next-auth', 'next-auth/*', '@auth/*'], message: 'Use lib/auth (next-auth stays inside it).' };
const NEXT_LINK = { name: 'next/link', message: 'Use app/_components/link (Next\'s link without viewport prefetching).' };

export default tseslint.config(
  { ignores: ['.next-*/**', 'node_modules/**', '.data/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@next/next': nextPlugin, 'react-hooks': reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The server's code writes log lines through the one logger (lib/http/logger.ts) only.
    files: ['lib/**/*.ts', 'app/**/*.ts', 'app/**/*.tsx', 'db/**/*.ts', 'middleware.ts', 'instrumentation*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Settings are read through lib/config/settings.ts (parsed and refused at start), never as
    // process.env.X in the server's code. Exceptions carry a disable comment saying why (secret
    // values read where they are used; build-time constants).
    files: ['lib/**/*.ts', 'app/**/*.ts', 'app/**/*.tsx', 'db/**/*.ts', 'middleware.ts', 'instrumentation*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**', 'lib/config/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env'][property.name!=/^(NODE_ENV|NEXT_RUNTIME)$/]",
          message: 'Read settings from settings() (lib/config/settings.ts), which validates them at start.',
        },
      ],
    },
  },
  {
    // next-auth is a beta: it stays behind lib/auth's own session API, so replacing it is a change
    // to one folder (docs/decisions/0003-next-auth-confined.md).
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['lib/auth/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NEXT_LINK], patterns: [NEXT_AUTH] }] },
  },
  {
    // The one link component: Next's without viewport prefetching (app/_components/link.tsx says why).
    files: ['app/_components/link.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NEXT_AUTH] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
