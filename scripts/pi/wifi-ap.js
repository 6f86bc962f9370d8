#!/usr/bin/env node
// `node scripts/pi/wifi-ap.js --config node.json [--root DIR]`: runs scripts/pi/wifi-ap.ts through tsx (bin/launch.js).
import { URL } from 'node:url';
import { launch } from '../../bin/launch.js';

await launch(new URL('./wifi-ap.ts', import.meta.url).href);
