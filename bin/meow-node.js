#!/usr/bin/env node
// Runs the mesh node daemon from the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../apps/meow-node/main.ts');
process.exitCode = await main(process.argv.slice(2));
