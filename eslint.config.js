// Lint rules that keep the layers honest (DESIGN.md section 2):
// protocol/ is pure, so it may not import node: modules, I/O packages or
// the layers above it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModuleNames = [
  'fs', 'net', 'dgram', 'http', 'https', 'os', 'child_process', 'crypto', 'tls', 'path', 'url',
  'serialport', 'better-sqlite3', 'bonjour-service', 'mqtt', 'onoff', 'johnny-five', 'tsx',
];
const pureMessage = 'protocol/ is pure: inject I/O instead (DESIGN.md section 2).';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModuleNames.map((name) => ({ name, message: pureMessage })),
        patterns: [
          { group: ['node:*', '@serialport/*', '@stablelib/random'], message: pureMessage },
          { group: ['**/node-runtime/**', '**/gateway/**', '**/hardware/**'], message: 'protocol/ may not import the layers above it.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'Date', message: 'protocol/ has no clock: take time as an argument.' },
        { name: 'setTimeout', message: 'protocol/ has no timers.' },
        { name: 'process', message: 'protocol/ is pure.' },
        { name: 'Buffer', message: 'protocol/ uses Uint8Array.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Randomness is injected.' }],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
