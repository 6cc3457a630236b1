import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frontEndLibs = [
  'ink',
  'ink-*',
  'react',
  'react-*',
  'fastify',
  '@fastify/*',
  'ws',
  'hono',
  '@hono/*',
  'commander',
  'marked',
  'marked-terminal',
  'playwright-core',
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'packages/cli/bundle/**',
      '**/node_modules/**',
      'coverage/**',
      'bench/results/**',
      // A corpus of documents that retrieval is evaluated on: kept byte for byte as written.
      'test/fixtures/documents/corpus/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        ReadableStream: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `import { z }` keeps all of zod in the CLI bundle; a namespace import lets esbuild drop
      // what is unused (docs/DEVELOPMENT.md).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z']",
          message: "Import zod as `import * as z from 'zod'` (bundle size, see docs/DEVELOPMENT.md).",
        },
      ],
    },
  },
  {
    // The browser UI: plain ES modules run by the browser, not Node.
    files: ['packages/server/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        history: 'readonly',
        sessionStorage: 'readonly',
        WebSocket: 'readonly',
        FileReader: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        requestAnimationFrame: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        navigator: 'readonly',
        AudioContext: 'readonly',
        AudioWorkletNode: 'readonly',
        File: 'readonly',
      },
    },
  },
  {
    // The microphone's AudioWorklet module runs in the audio rendering scope.
    files: ['packages/server/web/pcm-worklet.js'],
    languageOptions: {
      globals: { AudioWorkletProcessor: 'readonly', registerProcessor: 'readonly', sampleRate: 'readonly' },
    },
  },
  {
    // The core knows no front end: no UI, server or sibling-workspace imports.
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: frontEndLibs, message: 'packages/core must not import a front-end library.' },
            {
              group: ['@parley/*', '../../cli/*', '../../server/*'],
              message: 'packages/core must not import another workspace.',
            },
          ],
        },
      ],
    },
  },
);
