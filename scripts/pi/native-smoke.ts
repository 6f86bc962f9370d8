/**
 * `node --import tsx scripts/pi/native-smoke.ts DIR`: loads every native
 * module the app ships and makes each do real work, through the app's own
 * code where there is one, then prints one line per module with the .node
 * file it loaded. Run on the Pi's CPU (scripts/pi/arm64-proof.sh runs it
 * under qemu-user-static with an arm64 Node) to prove a bundle built for
 * the Pi works there before it goes to the field:
 *  - better-sqlite3: the node's store (openStore) in DIR, a deposit read back;
 *  - sodium-native: the relay suite's binding, an XChaCha20-Poly1305 round trip
 *    (on 32-bit ARM, which it has no prebuild for, the check is that it does
 *    not load and the relay's loader says so: the relay keeps node:crypto);
 *  - @serialport/bindings-cpp: the ports the kernel lists;
 *  - epoll (onoff's GPIO interrupts): an Epoll instance, closed at once.
 * Exit 0 when all four worked, 1 with the failing one named.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { openStore } from '../../node-runtime/store/index.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { loadSodium } from '../../gateway/server/crypto/sodium.ts';

const require = createRequire(import.meta.url);

/** The .node file the process mapped for a module (the report's shared objects: whatever loaded it, and when). */
function which(name: string): string {
  const report = process.report.getReport() as unknown as { sharedObjects: string[] };
  return report.sharedObjects.find((f) => f.endsWith('.node') && f.includes(name)) ?? '(no .node file mapped)';
}

type Line = (name: string, detail: string, file: string) => void;

async function main(dir: string): Promise<void> {
  const line: Line = (name, detail, file) => {
    process.stdout.write(`ok ${name}: ${detail} [${file}]\n`);
  };
  const store = openStore({ path: join(dir, 'smoke.db'), clock: systemClock, random: systemRandom });
  const tag = new Uint8Array(6).fill(7);
  store.mailboxes.deposit(tag, new Uint8Array(16).fill(1), new Uint8Array([1, 2, 3]));
  const back = store.mailboxes.list(tag, { limit: 10 }).map((m) => [...m.bytes].join(','));
  const sqlite = (store.database().prepare('select sqlite_version() as v').get() as { v: string }).v;
  store.close();
  if (back.join(';') !== '1,2,3') throw new Error(`better-sqlite3: read back ${back.join(';')}`);
  line('better-sqlite3', `store opened, deposit read back, SQLite ${sqlite}`, which('better_sqlite3'));

  if (process.arch === 'arm') {
    // sodium-native 5 ships no linux-arm prebuild and has no install script (docs/HARDWARE.md, "armhf").
    if (loadSodium() !== undefined) throw new Error('sodium-native: loaded on 32-bit ARM, where it has no prebuild: update docs/HARDWARE.md');
    line('sodium-native', 'not loadable on 32-bit ARM (no prebuild): the relay keeps its node:crypto suite', 'none');
  } else sodiumRoundTrip(line);

  const ports = await SerialPort.list();
  line('@serialport/bindings-cpp', `${ports.length} serial port(s) listed`, which('bindings-cpp'));

  const { Epoll } = require('epoll') as { Epoll: new (cb: () => void) => { close(): void } };
  new Epoll(() => undefined).close();
  line('epoll', 'an Epoll instance made and closed', which('epoll'));
  process.stdout.write(`all native modules load on ${process.arch}, Node ${process.version} (modules ABI ${process.versions.modules})\n`);
}

function sodiumRoundTrip(line: Line): void {
  const sodium = require('sodium-native') as {
    crypto_aead_xchacha20poly1305_ietf_encrypt(c: Buffer, m: Buffer, ad: Buffer | null, nsec: null, n: Buffer, k: Buffer): number;
    crypto_aead_xchacha20poly1305_ietf_decrypt(m: Buffer, nsec: null, c: Buffer, ad: Buffer | null, n: Buffer, k: Buffer): number;
  };
  const key = Buffer.alloc(32, 9);
  const nonce = Buffer.alloc(24, 3);
  const sealed = Buffer.alloc(5 + 16);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, Buffer.from('hello'), null, null, nonce, key);
  const opened = Buffer.alloc(5);
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(opened, null, sealed, null, nonce, key);
  if (opened.toString() !== 'hello') throw new Error('sodium-native: the round trip failed');
  line('sodium-native', `XChaCha20-Poly1305 round trip, tag ${sealed.subarray(5).toString('hex').slice(0, 16)}...`, which('sodium-native'));
}

try {
  await main(process.argv[2] ?? process.cwd());
} catch (error) {
  process.stderr.write(`native-smoke: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
