// Lint rules that keep the house honest (docs/ARCHITECTURE.md, "The one rule").
// Layers, lowest first; a folder may import only the folders below it:
//   protocol < seams < agent < hardware < node-runtime < gateway < apps < scripts
// (test/ may import anything; nothing imports apps/ but bin/ and tests).
// protocol/, seams/ and agent/ are also pure and portable (the agent runs in a
// browser too): no node: modules, no I/O packages, no clock.
// import-x/no-cycle refuses import cycles between files, and the zones
// below refuse the sideways imports that would make folder cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export const layers = ['protocol', 'seams', 'agent', 'hardware', 'node-runtime', 'gateway', 'apps', 'scripts'];

/** Inside a layer, sub-folders that must not import each other (one way, or not at all). */
const sideways = [
  // the relay client and the relay server share only protocol/ and seams/
  { target: 'gateway/client', from: ['gateway/server', 'gateway/bridge'], message: 'the relay client shares only protocol/ and seams/ with the server' },
  { target: 'gateway/server', from: ['gateway/client', 'gateway/bridge'], message: 'the relay server does not depend on the client or the bridge' },
  // each program is a root of its own
  { target: 'apps/meow', from: ['apps/meow-node', 'apps/meow-relay'], message: 'programs do not import each other: move the shared piece down a layer' },
  { target: 'apps/meow-node', from: ['apps/meow', 'apps/meow-relay'], message: 'programs do not import each other: move the shared piece down a layer' },
  { target: 'apps/meow-relay', from: ['apps/meow', 'apps/meow-node'], message: 'programs do not import each other: move the shared piece down a layer' },
  // the board runtime, bottom up: platform and crypto know no other part
  { target: 'node-runtime/platform', from: ['node-runtime/links', 'node-runtime/scheduler', 'node-runtime/store', 'node-runtime/router', 'node-runtime/keystore', 'node-runtime/crypto'], message: 'platform/ is the bottom of node-runtime' },
  { target: 'node-runtime/links', from: ['node-runtime/scheduler', 'node-runtime/store', 'node-runtime/router', 'node-runtime/keystore'], message: 'links know nothing of what uses them' },
  { target: 'node-runtime/store', from: ['node-runtime/links', 'node-runtime/scheduler', 'node-runtime/router', 'node-runtime/keystore'], message: 'the store knows nothing of what uses it' },
  { target: 'node-runtime/scheduler', from: ['node-runtime/router', 'node-runtime/store', 'node-runtime/keystore'], message: 'the scheduler is below the router' },
  { target: 'hardware/e22', from: ['hardware/radio-sim'], message: 'drivers are independent of each other' },
  { target: 'hardware/radio-sim', from: ['hardware/e22'], message: 'drivers are independent of each other' },
];

const zones = [
  ...layers.map((layer, i) => ({
    target: `./${layer}`,
    from: [...layers.slice(i + 1), 'test', 'bin'].map((above) => `./${above}`),
    message: `${layer}/ may import only the layers below it (${layers.slice(0, i).join(', ') || 'none'}): docs/ARCHITECTURE.md, "The one rule".`,
  })),
  ...sideways.map((z) => ({ target: `./${z.target}`, from: z.from.map((f) => `./${f}`), message: z.message })),
];

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
    files: ['**/*.ts'],
    ignores: ['test/**'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts', '.js'], 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['protocol/**/*.ts', 'seams/**/*.ts', 'agent/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModuleNames.map((name) => ({ name, message: pureMessage })),
        patterns: [{ group: ['node:*', '@serialport/*', '@stablelib/random'], message: pureMessage }],
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
