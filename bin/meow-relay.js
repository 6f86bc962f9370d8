#!/usr/bin/env node
// `meow-relay`: runs apps/meow-relay/main from the TypeScript sources (bin/launch.js).
import { URL } from 'node:url';
import { launch } from './launch.js';

await launch(new URL('../apps/meow-relay/main.ts', import.meta.url).href);
