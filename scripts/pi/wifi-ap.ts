/**
 * `node scripts/pi/wifi-ap.js --config /etc/meow/node.json [--root DIR]`:
 * writes the node's access point files from the `wifi` block of its
 * configuration (node-runtime/wifi/wifi-ap.ts, the same parser meow-node
 * and `meow doctor` use), under DIR (default /):
 *   /etc/hostapd/meow.conf                        hostapd's configuration (mode 0600: the passphrase)
 *   /etc/dnsmasq.d/meow.conf                      DHCP, DNS, the captive portal's catch-all answer
 *   /etc/avahi/meow-host-name.conf                the host-name line for avahi-daemon.conf's [server]
 *   /etc/systemd/system/meow-ap.service           rfkill unblock, the static address, hostapd
 *   /etc/systemd/system/dnsmasq.service.d/meow.conf  dnsmasq after the address exists
 *   /etc/NetworkManager/conf.d/meow-ap.conf       NetworkManager leaves the interface alone
 *   /etc/systemd/system/meow-portal.service       with wifi.captivePortal: port 80 redirects to the chat
 * Idempotent: a file already holding what it would write is left alone,
 * and each line it prints says what changed. prepare-sd.sh runs it on the
 * laptop (--root into a temporary tree it copies to the boot partition);
 * firstrun.sh installs the tree, sets the Avahi host name and enables the
 * units. On a running Pi: `sudo node /opt/meow/scripts/pi/wifi-ap.js --config
 * /etc/meow/node.json && sudo systemctl daemon-reload && sudo systemctl
 * enable --now meow-ap dnsmasq meow-portal`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseWifiConfig, WIFI_FILES_BY_PATH, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';
import { portalTarget } from '../../node-runtime/wifi/captive-portal.ts';
import { WifiConfigError } from '../../node-runtime/wifi/errors.ts';
import { parseWebConfig } from '../../apps/meow-node/web/config.ts';
import { ConfigFieldError } from '../../node-runtime/links/config-fields.ts';

/** Installed with wifi.captivePortal (scripts/pi/meow-portal.service). */
export const PORTAL_UNIT_PATH = '/etc/systemd/system/meow-portal.service';
const portalUnit = (): string => readFileSync(join(import.meta.dirname, 'meow-portal.service'), 'utf8');

export interface WifiApIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

function readConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WifiConfigError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { field: '--config', expected: 'a readable node config' });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new WifiConfigError(`${path} is not valid JSON`, { field: '--config', expected: 'JSON' });
  }
}

function current(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Exit codes: 0 written or unchanged, 1 a file could not be written, 2 bad arguments or a bad `wifi` block. */
export function runWifiAp(argv: readonly string[], io: WifiApIo): number {
  const configAt = argv.indexOf('--config');
  const rootAt = argv.indexOf('--root');
  const configPath = configAt >= 0 ? argv[configAt + 1] : undefined;
  const root = rootAt >= 0 ? argv[rootAt + 1] : '/';
  if (!configPath || !root || argv.length !== (rootAt >= 0 ? 4 : 2)) {
    io.err('usage: wifi-ap.ts --config NODE_CONFIG.json [--root DIR]');
    return 2;
  }
  const contents: [string, string][] = [];
  try {
    const config = readConfig(configPath) as { wifi?: unknown };
    if (config === null || typeof config !== 'object' || config.wifi === undefined) {
      io.out(`wifi-ap: ${configPath} has no "wifi" block: nothing to write`);
      return 0;
    }
    const wifi = parseWifiConfig(config.wifi);
    if (!wifi.enabled) {
      io.out('wifi-ap: wifi.enabled is false: nothing to write');
      return 0;
    }
    const files = wifiFiles(wifi);
    for (const [path, file] of WIFI_FILES_BY_PATH) contents.push([path, files[file]]);
    if (wifi.captivePortal) {
      // A portal redirecting to a web client phones cannot reach would strand them: refuse before writing anything.
      const web = (config as { web?: unknown }).web;
      portalTarget(wifi, web === undefined ? { enabled: false, host: '127.0.0.1', port: 8480 } : parseWebConfig(web));
      contents.push([PORTAL_UNIT_PATH, portalUnit()]);
    }
  } catch (error) {
    if (!(error instanceof WifiConfigError) && !(error instanceof ConfigFieldError)) throw error;
    io.err(`wifi-ap: ${error.message}`);
    return 2;
  }
  for (const [path, text] of contents) {
    const target = join(root, path);
    if (current(target) === text) {
      io.out(`unchanged ${path}`);
      continue;
    }
    try {
      mkdirSync(dirname(target), { recursive: true });
      // The hostapd file holds the WPA2 passphrase: root-readable only (firstrun.sh gives the others 0644).
      writeFileSync(target, text, { mode: 0o600 });
    } catch (e) {
      io.err(`wifi-ap: cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 1;
    }
    io.out(`wrote ${path}`);
  }
  return 0;
}

/** Entry for scripts/pi/wifi-ap.js (bin/launch.js). */
export async function main(argv: readonly string[]): Promise<number> {
  return runWifiAp(argv, { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runWifiAp(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
