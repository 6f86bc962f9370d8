/**
 * `node scripts/pi/meow-portal.js --config /etc/meow/node.json [--port N]`:
 * the captive-portal redirect of the node's access point
 * (node-runtime/wifi/captive-portal.ts), listening on wifi.address port 80
 * and sending every request to the web client. Run by meow-portal.service.
 * Exit codes: 2 a config without a usable wifi/web block, 1 the port could
 * not be bound (systemd retries: the address comes with meow-ap.service).
 */
import { readFileSync } from 'node:fs';
import { parseWifiConfig } from '../../node-runtime/wifi/wifi-ap.ts';
import { portalTarget, startCaptivePortal, type CaptivePortal } from '../../node-runtime/wifi/captive-portal.ts';
import { WifiConfigError } from '../../node-runtime/wifi/errors.ts';
import { ConfigFieldError } from '../../node-runtime/links/config-fields.ts';
import { parseWebConfig } from '../../apps/meow-node/web/config.ts';

export interface PortalPlan {
  readonly host: string;
  readonly port: number;
  readonly target: string;
}

/** What the portal would do for this argv, or the line saying why it cannot. */
export function planPortal(argv: readonly string[]): PortalPlan | { error: string } {
  const at = argv.indexOf('--config');
  const portAt = argv.indexOf('--port');
  const path = at >= 0 ? argv[at + 1] : undefined;
  const port = portAt >= 0 ? Number(argv[portAt + 1]) : 80;
  if (!path || !Number.isInteger(port) || port < 0 || port > 65535) return { error: 'usage: meow-portal.js --config NODE_CONFIG.json [--port N]' };
  let config: { wifi?: unknown; web?: unknown };
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as typeof config;
  } catch (e) {
    return { error: `meow-portal: cannot read ${path}: ${(e as Error).message}` };
  }
  try {
    if (config?.wifi === undefined) return { error: `meow-portal: ${path} has no "wifi" block` };
    const wifi = parseWifiConfig(config.wifi);
    if (!wifi.enabled || !wifi.captivePortal) return { error: 'meow-portal: wifi.enabled and wifi.captivePortal must both be true' };
    const web = config.web === undefined ? { enabled: false, host: '127.0.0.1', port: 8480 } : parseWebConfig(config.web);
    return { host: wifi.address, port, target: portalTarget(wifi, web) };
  } catch (error) {
    if (error instanceof WifiConfigError || error instanceof ConfigFieldError) return { error: `meow-portal: ${error.message}` };
    throw error;
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const plan = planPortal(argv);
  if ('error' in plan) {
    process.stderr.write(`${plan.error}\n`);
    return 2;
  }
  let portal: CaptivePortal;
  try {
    portal = await startCaptivePortal(plan);
  } catch (e) {
    process.stderr.write(`meow-portal: cannot listen on ${plan.host}:${plan.port}: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`meow-portal: http://${plan.host}:${portal.port}/ redirects every request to ${plan.target}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await portal.close();
  return 0;
}
