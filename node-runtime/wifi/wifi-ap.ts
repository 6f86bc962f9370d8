/**
 * The node's own Wi-Fi access point, as files for Debian's hostapd and
 * dnsmasq generated from the node config's `wifi` section. One module for
 * the daemon's configuration (apps/meow-node/config.ts accepts the block),
 * `meow doctor` (checks the installed files against it) and the Pi scripts
 * (scripts/pi/wifi-ap.ts writes them):
 *
 *   "wifi": { "enabled": true, "ssid": "meow-mesh", "passphrase": "...",   (WPA2-PSK; absent = open)
 *             "country": "DE", "channel": 6, "interface": "wlan0",
 *             "address": "10.42.0.1", "captivePortal": true, "mdnsName": "meow" }
 *
 * The AP is isolated: no gateway or DNS server beyond the node is handed
 * out (dnsmasq gives no router option), so phones keep their mobile data
 * for the Internet when there is some. captivePortal answers every DNS
 * name with the node's address, so a phone's captive-portal probe opens
 * the browser chat; mdnsName is the Avahi host name (`meow.local`).
 * hostapd.conf(5) keys: interface, driver, ssid, country_code, hw_mode,
 * channel, wpa=2, wpa_key_mgmt=WPA-PSK, rsn_pairwise=CCMP (802.11i).
 */
import { WifiConfigError } from './errors.ts';

export interface WifiConfig {
  readonly enabled: boolean;
  readonly ssid: string;
  readonly passphrase?: string;
  readonly country: string;
  readonly channel: number;
  readonly interface: string;
  readonly address: string;
  readonly captivePortal: boolean;
  readonly mdnsName: string;
}

export const wifiDefaults: WifiConfig = {
  enabled: false, ssid: 'meow-mesh', country: 'DE', channel: 6, interface: 'wlan0', address: '10.42.0.1', captivePortal: true, mdnsName: 'meow',
};

const bad = (field: string, expected: string): never => {
  throw new WifiConfigError(`config: wifi.${field} must be ${expected}`, { field: `wifi.${field}`, expected });
};

/** Validates a `wifi` section merged over the defaults; throws WifiConfigError naming the field. */
export function parseWifiConfig(raw: unknown): WifiConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new WifiConfigError('config: wifi must be an object { enabled, ssid, passphrase, country, channel, ... }', { field: 'wifi', expected: 'an object' });
  }
  const known = ['enabled', 'ssid', 'passphrase', 'country', 'channel', 'interface', 'address', 'captivePortal', 'mdnsName'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) bad(key, `one of ${known.join(', ')} (unknown field)`);
  const m = { ...wifiDefaults, ...raw } as Record<string, unknown>;
  if (typeof m.enabled !== 'boolean') bad('enabled', 'true or false');
  // 802.11: an SSID is 1..32 octets; WPA2 passphrase 8..63 printable ASCII. No newline may reach the file.
  if (typeof m.ssid !== 'string' || Buffer.byteLength(m.ssid) < 1 || Buffer.byteLength(m.ssid) > 32 || /[\r\n]/.test(m.ssid)) bad('ssid', '1 to 32 bytes on one line');
  if (m.passphrase !== undefined && (typeof m.passphrase !== 'string' || !/^[\x20-\x7e]{8,63}$/.test(m.passphrase))) bad('passphrase', '8 to 63 printable ASCII characters');
  if (typeof m.country !== 'string' || !/^[A-Z]{2}$/.test(m.country)) bad('country', 'a two-letter country code (ISO 3166-1, DE)');
  if (!Number.isInteger(m.channel) || (m.channel as number) < 1 || (m.channel as number) > 13) bad('channel', 'a 2.4 GHz channel in 1..13');
  if (typeof m.interface !== 'string' || !/^[a-zA-Z0-9_.-]{1,15}$/.test(m.interface)) bad('interface', 'a network interface name (wlan0)');
  if (typeof m.address !== 'string' || !/^10\.(\d{1,3})\.(\d{1,3})\.1$/.test(m.address) || m.address.split('.').some((o) => Number(o) > 255)) bad('address', 'a 10.x.y.1 address');
  if (typeof m.captivePortal !== 'boolean') bad('captivePortal', 'true or false');
  if (typeof m.mdnsName !== 'string' || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(m.mdnsName)) bad('mdnsName', 'a host name label (meow)');
  return m as unknown as WifiConfig;
}

export interface WifiFiles {
  readonly hostapdConf: string;
  readonly dnsmasqConf: string;
  /** /etc/avahi/avahi-daemon.conf lines for the [server] section. */
  readonly avahiHostName: string;
  /** The systemd unit that frees the radio, gives the interface its address and runs hostapd on WIFI_FILE_PATHS.hostapd. */
  readonly apUnit: string;
  /** A dnsmasq.service drop-in: dnsmasq starts after the address exists (listen-address fails otherwise). */
  readonly dnsmasqDropIn: string;
  /** NetworkManager (Raspberry Pi OS 12+) leaves the interface alone: hostapd owns it. */
  readonly networkManagerConf: string;
}

export function wifiFiles(w: WifiConfig): WifiFiles {
  const hostapd = [
    `interface=${w.interface}`, 'driver=nl80211', `ssid=${w.ssid}`, `country_code=${w.country}`, 'ieee80211d=1',
    'hw_mode=g', `channel=${w.channel}`, 'auth_algs=1', 'ignore_broadcast_ssid=0', 'ap_isolate=1',
    ...(w.passphrase ? ['wpa=2', `wpa_passphrase=${w.passphrase}`, 'wpa_key_mgmt=WPA-PSK', 'rsn_pairwise=CCMP'] : []),
  ];
  const prefix = w.address.slice(0, w.address.lastIndexOf('.'));
  const dnsmasq = [
    `interface=${w.interface}`, 'bind-interfaces', 'no-resolv', 'no-hosts', `listen-address=${w.address}`,
    `dhcp-range=${prefix}.10,${prefix}.250,255.255.255.0,12h`,
    // No router and no upstream DNS: the AP reaches the node only (isolated).
    'dhcp-option=option:router', `dhcp-option=option:dns-server,${w.address}`,
    `address=/${w.mdnsName}.local/${w.address}`,
    ...(w.captivePortal ? [`address=/#/${w.address}`] : []),
  ];
  // Debian's hostapd@.service cannot serve here: its instance name is the interface (BindsTo=sys-subsystem-net-devices-%i.device)
  // and its file /etc/hostapd/%i.conf, so hostapd@meow would wait forever for a device called "meow".
  const device = `sys-subsystem-net-devices-${w.interface}.device`;
  const apUnit = [
    '# Generated from the wifi block of /etc/meow/node.json (node-runtime/wifi/wifi-ap.ts): the node\'s own access point.',
    '[Unit]',
    `Description=Meow mesh Wi-Fi access point on ${w.interface} (hostapd ${WIFI_FILE_PATHS.hostapd})`,
    'Documentation=file:/opt/meow/docs/HARDWARE.md',
    `BindsTo=${device}`,
    `After=${device} NetworkManager.service dhcpcd.service`,
    '',
    '[Service]',
    'Type=simple',
    // Raspberry Pi OS keeps Wi-Fi soft-blocked until a country is set (raspi-config); hostapd sets the country itself.
    'ExecStartPre=-/usr/sbin/rfkill unblock wlan',
    `ExecStartPre=/usr/bin/ip address replace ${w.address}/24 dev ${w.interface}`,
    `ExecStartPre=/usr/bin/ip link set ${w.interface} up`,
    `ExecStart=/usr/sbin/hostapd ${WIFI_FILE_PATHS.hostapd}`,
    `ExecStopPost=-/usr/bin/ip address del ${w.address}/24 dev ${w.interface}`,
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  const dnsmasqDropIn = ['# Generated by node-runtime/wifi/wifi-ap.ts: the access point\'s address must exist before dnsmasq binds it.', '[Unit]', 'Wants=meow-ap.service', 'After=meow-ap.service'];
  const networkManagerConf = ['# Generated by node-runtime/wifi/wifi-ap.ts: hostapd (meow-ap.service) owns this interface, not NetworkManager.', '[keyfile]', `unmanaged-devices=interface-name:${w.interface}`];
  const text = (lines: readonly string[]): string => `${lines.join('\n')}\n`;
  return {
    hostapdConf: text(hostapd), dnsmasqConf: text(dnsmasq), avahiHostName: `host-name=${w.mdnsName}\n`,
    apUnit: text(apUnit), dnsmasqDropIn: text(dnsmasqDropIn), networkManagerConf: text(networkManagerConf),
  };
}

/** Where the Pi keeps the generated files (scripts/pi/wifi-ap.ts writes them, `meow doctor` checks them). */
export const WIFI_FILE_PATHS = {
  hostapd: '/etc/hostapd/meow.conf',
  dnsmasq: '/etc/dnsmasq.d/meow.conf',
  avahi: '/etc/avahi/meow-host-name.conf',
  apUnit: '/etc/systemd/system/meow-ap.service',
  dnsmasqDropIn: '/etc/systemd/system/dnsmasq.service.d/meow.conf',
  networkManager: '/etc/NetworkManager/conf.d/meow-ap.conf',
} as const;

/** The file of WifiFiles each installed path holds, in the order they are written. */
export const WIFI_FILES_BY_PATH: readonly (readonly [path: string, file: keyof WifiFiles])[] = [
  [WIFI_FILE_PATHS.hostapd, 'hostapdConf'], [WIFI_FILE_PATHS.dnsmasq, 'dnsmasqConf'], [WIFI_FILE_PATHS.avahi, 'avahiHostName'],
  [WIFI_FILE_PATHS.apUnit, 'apUnit'], [WIFI_FILE_PATHS.dnsmasqDropIn, 'dnsmasqDropIn'], [WIFI_FILE_PATHS.networkManager, 'networkManagerConf'],
];
