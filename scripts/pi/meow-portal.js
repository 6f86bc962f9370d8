#!/usr/bin/env node
// `node scripts/pi/meow-portal.js --config /etc/meow/node.json`: the access point's captive-portal redirect
// (scripts/pi/captive-portal.ts through tsx, bin/launch.js); run by meow-portal.service.
import { URL } from 'node:url';
import { launch } from '../../bin/launch.js';

await launch(new URL('./captive-portal.ts', import.meta.url).href);
