/**
 * `npx tsx scripts/pi/wifi-ap.ts --config /etc/meow/node.json [--root /]`:
 * writes the node's access point files from the `wifi` block of its
 * configuration (node-runtime/wifi/wifi-ap.ts, the same parser meow-node
 * and `meow doctor` use): /etc/hostapd/meow.conf, /etc/dnsmasq.d/meow.conf
 * and /etc/avahi/meow-host-name.conf (the line for avahi-daemon.conf's
 * [server] section). Idempotent: a file already holding what it would
 * write is left alone, and each line it prints says what changed. Run as
 * root on the Pi (or with --root on a mounted image); then
 * `systemctl enable --now hostapd@meow dnsmasq` (Debian's hostapd@.service reads
 * /etc/hostapd/meow.conf).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseWifiConfig, WIFI_FILE_PATHS, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';
import { WifiConfigError } from '../../node-runtime/wifi/errors.ts';

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
  let files: ReturnType<typeof wifiFiles>;
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
    files = wifiFiles(wifi);
  } catch (error) {
    if (!(error instanceof WifiConfigError)) throw error;
    io.err(`wifi-ap: ${error.message}`);
    return 2;
  }
  const contents = { [WIFI_FILE_PATHS.hostapd]: files.hostapdConf, [WIFI_FILE_PATHS.dnsmasq]: files.dnsmasqConf, [WIFI_FILE_PATHS.avahi]: files.avahiHostName };
  for (const [path, text] of Object.entries(contents)) {
    const target = join(root, path);
    if (current(target) === text) {
      io.out(`unchanged ${path}`);
      continue;
    }
    try {
      mkdirSync(dirname(target), { recursive: true });
      // The hostapd file holds the WPA2 passphrase: root-readable only.
      writeFileSync(target, text, { mode: 0o600 });
    } catch (e) {
      io.err(`wifi-ap: cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 1;
    }
    io.out(`wrote ${path}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runWifiAp(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
