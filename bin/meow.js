#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx meow` works from a checkout with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../apps/meow/meow.ts');
process.exitCode = await main(process.argv.slice(2));
