import tseslint from 'typescript-eslint';

// The layers (README, Architecture) and what each must not import: dependencies point one way,
// http → services → db / temporal → platform / domain, with workflows reached only through their
// contract (workflows/contract/, one file per topic). Matched on the import specifier's folder,
// whatever the relative depth.
const importsOf = (...folders) => `(^|/)(${folders.join('|')})/`;
const WORKFLOW_CODE = '(^|/)workflows/(?!contract/)';
// The collections are private to src/db: its repositories (one module per aggregate) hold every
// query, and services, activities, routers and entry points call those (src/bin opens the
// database through src/db/database.ts). Only tests reach the models, to look at what is stored.
const STORE_PRIVATE = [
  {
    regex: '(^|/)db/(models(\\.js)?$|schemas/)',
    message: 'The models are private to src/db: call a repository (src/db/<aggregate>.ts).',
  },
  {
    regex: '^mongoose$',
    allowTypeImports: true,
    message: 'Queries belong in a src/db repository; outside it mongoose is for types only.',
  },
];
const LAYERS = [
  {
    files: ['src/domain/**/*.ts'],
    patterns: [
      {
        regex: importsOf('http', 'services', 'db', 'temporal', 'platform', 'bin', 'activities', 'workflows'),
        message: 'src/domain is pure: zod and its own modules only.',
      },
    ],
  },
  {
    files: ['src/platform/**/*.ts'],
    patterns: [
      {
        regex: importsOf('http', 'services', 'db', 'temporal', 'bin', 'activities', 'workflows'),
        message: 'src/platform is the bottom layer: it knows no domain, store or Temporal.',
      },
    ],
  },
  {
    files: ['src/db/**/*.ts'],
    patterns: [
      {
        regex: importsOf('http', 'services', 'temporal', 'bin', 'activities'),
        message: 'src/db knows its collections, not who calls it.',
      },
      { regex: WORKFLOW_CODE, message: 'Only workflows/contract/ is shared with workflows.' },
    ],
  },
  {
    files: ['src/temporal/**/*.ts'],
    patterns: [
      { regex: importsOf('http', 'services', 'bin'), message: 'src/temporal is the gateway below the services.' },
    ],
  },
  {
    files: ['src/services/**/*.ts'],
    patterns: [
      {
        regex: importsOf('http', 'bin', 'activities'),
        message: 'Services hold domain rules; they do not know HTTP, entry points or activities.',
      },
      { regex: WORKFLOW_CODE, message: 'Services reach workflows through src/temporal and workflows/contract/ only.' },
    ],
  },
  {
    files: ['src/http/**/*.ts'],
    patterns: [
      {
        regex: importsOf('bin', 'temporal', 'activities', 'workflows'),
        message: 'Routers parse, call a service and present: Temporal and workflows are behind src/services.',
      },
      {
        regex: importsOf('db'),
        allowTypeImports: true,
        message: 'Routers reach the database through src/services (document types may be imported as types).',
      },
    ],
  },
  {
    files: ['activities/**/*.ts'],
    patterns: [
      {
        regex: importsOf('http', 'services', 'bin', 'temporal'),
        message: 'Activities get their dependencies from createActivities(deps).',
      },
      { regex: WORKFLOW_CODE, message: 'Activities share only workflows/contract/ with workflows.' },
    ],
  },
  { files: ['src/bin/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'], patterns: [] },
].map((layer) =>
  layer.files.includes('src/db/**/*.ts') ? layer : { ...layer, patterns: [...layer.patterns, ...STORE_PRIVATE] },
);

// Workflow code (the contract too) runs in the workflow sandbox and is replayed.
const WORKFLOW_IMPORTS = [
  { regex: '^node:', message: 'Workflow code must stay deterministic: no Node built-ins.' },
  {
    regex: '^(fs|path|os|crypto|http|https|net|dns|child_process|worker_threads)$',
    message: 'Workflow code must stay deterministic: no Node built-ins.',
  },
  { regex: '^@temporalio/(client|worker|activity|testing)$', message: 'Workflows import only @temporalio/workflow.' },
  { regex: '^(mongoose|mongodb|undici|express|pino)$', message: 'I/O belongs in activities/.' },
  {
    regex: '^(\\.\\./)+(src/(http|services|db|temporal|platform|bin)|activities)/',
    message: 'Workflows may import only pure modules (src/domain) and activity types (import type).',
    allowTypeImports: true,
  },
];

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
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through src/config.ts (parsed once at start).',
        },
      ],
    },
  },
  {
    // An error names its code; its HTTP status is src/http/error-statuses.ts's to say, once.
    // (Restated here with the rule above: a later no-restricted-syntax replaces, not extends.)
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through src/config.ts (parsed once at start).',
        },
        {
          selector: "NewExpression[callee.name='AppError'] > Literal",
          message:
            'AppError takes options ({code, message, details}); its status comes from src/http/error-statuses.ts.',
        },
        {
          selector:
            "NewExpression[callee.name='AppError'] > ObjectExpression > Property[key.name=/^(status|statusCode|httpStatus|headers)$/]",
          message:
            'An error carries no HTTP status or headers: the code decides them (src/http/error-statuses.ts); use retryAfterSeconds for Retry-After.',
        },
      ],
    },
  },
  {
    files: ['src/platform/config.ts', 'scripts/**', 'test/**', 'bench/**', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  ...LAYERS.map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } })),
  {
    // Workflow code is replayed: it may import only the workflow SDK, types, and pure domain modules.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: WORKFLOW_IMPORTS }],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'I/O belongs in activities/.' },
        { name: 'process', message: 'Workflows get configuration as input.' },
      ],
    },
  },
  {
    // Every layer imports the contract: were it to import workflow code or activities (even their
    // types), an importer would pull the workflows in with it and the layers could form a cycle.
    files: ['workflows/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...WORKFLOW_IMPORTS,
            {
              regex: '^\\.\\./(?!\\.\\./src/domain/)',
              message: 'The contract imports only its own topic files, the Temporal SDK and src/domain.',
            },
          ],
        },
      ],
    },
  },
);
