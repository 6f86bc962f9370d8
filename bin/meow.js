#!/usr/bin/env node
// `meow`: runs apps/meow/main from the TypeScript sources (bin/launch.js).
import { URL } from 'node:url';
import { launch } from './launch.js';

await launch(new URL('../apps/meow/meow.ts', import.meta.url).href);
