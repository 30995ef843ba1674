// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import direction (DESIGN.md §5): common ← server, app; modules only through index.ts. */
const noDeepModuleImports = {
  group: ['@server/modules/*/*', '!@server/modules/*/index'],
  message: 'Import another module only through its index.ts.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'bin/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['common/**/*.ts', 'common/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'common/ is isomorphic: no node:* imports.' },
            {
              group: ['@server/*', '@app/*'],
              message: 'common/ imports neither server/ nor app/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/*'], message: 'server/ never imports app/.' },
            noDeepModuleImports,
          ],
        },
      ],
    },
  },
  {
    // Requests to URLs someone else chose must not reach the host's own networks.
    files: ['server/**/*.ts'],
    ignores: ['**/*.test.ts', 'server/test/**', 'server/platform/net/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'fetch',
          message:
            'Fetch through safeFetch (@server/platform/net): it refuses internal addresses and checks every redirect.',
        },
      ],
    },
  },
  {
    files: ['server/platform/**/*.ts', 'server/realtime/sfu/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@server/modules/*', '@server/http/*', '@app/*'],
              message: 'platform/ and realtime/sfu know nothing of the domain or HTTP.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@server/*', 'node:*'], message: 'app/ never imports server/ or node:*.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'e2e/**'],
    rules: { 'no-console': 'off' },
  },
);
