import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.chathook/**', 'dist/**', 'console/dist/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through src/config.ts (parsed once at start).' }],
    },
  },
  {
    files: ['src/platform/config.ts', 'scripts/**', 'test/**', 'bench/**', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Workflow code is replayed: it may import only the workflow SDK, types, and pure domain modules.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'Workflow code must stay deterministic: no Node built-ins.' },
            { regex: '^(fs|path|os|crypto|http|https|net|dns|child_process|worker_threads)$', message: 'Workflow code must stay deterministic: no Node built-ins.' },
            { regex: '^@temporalio/(client|worker|activity|testing)$', message: 'Workflows import only @temporalio/workflow.' },
            { regex: '^(mongoose|mongodb|undici|express|pino)$', message: 'I/O belongs in activities/.' },
            { regex: '^\\.\\./(src/(http|services|db|temporal|platform|bin)|activities)/', message: 'Workflows may import only pure modules (src/domain) and activity types (import type).', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'I/O belongs in activities/.' }, { name: 'process', message: 'Workflows get configuration as input.' }],
    },
  },
);
