// Lint: typescript-eslint's recommended rules, plus the purity fence: core/, rules/ and
// render/ never read the clock, the network or the Worker env; time and I/O are passed in.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PURE_FOLDERS = ['src/core/**/*.ts', 'src/rules/**/*.ts', 'src/render/**/*.ts', 'src/sources/**/*.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', '.wrangler/', 'src/generated/', 'dist/', 'coverage/', 'worker-configuration.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
  {
    files: PURE_FOLDERS,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Pure code takes the time as a parameter (the purity fence in eslint.config.js).',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pure code takes the time as a parameter (the purity fence in eslint.config.js).',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Pure code does no network I/O; fetch is injected (the purity fence in eslint.config.js).' },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'bin/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        crypto: 'readonly',
        TextEncoder: 'readonly',
        Buffer: 'readonly',
        Response: 'readonly',
        AbortSignal: 'readonly',
        Headers: 'readonly',
      },
    },
  },
);
