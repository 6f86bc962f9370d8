#!/usr/bin/env node
// `meow-node`: runs apps/meow-node/main from the TypeScript sources (bin/launch.js).
import { URL } from 'node:url';
import { launch } from './launch.js';

await launch(new URL('../apps/meow-node/main.ts', import.meta.url).href);
