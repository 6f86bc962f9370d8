/**
 * A relay port that refuses to talk to a relay presenting another key than
 * the one it knows (security review H1: a relay's key comes from its own
 * descriptor, so on http://, udp:// or mqtt:// anyone on the path could
 * present theirs and swallow deposits).
 *
 * The key is, in order: pinned in the configuration (the relay prints it at
 * start), or remembered from the first contact (trust on first use, like
 * SSH) in the gateway's data directory. A relay that later shows another
 * key is unreachable until an operator changes the pin.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { ServerPublicKey } from '../../protocol/keys/keys.ts';
import { connectRelay, type ConnectOptions } from '../client/connect.ts';
import { relayPort, type RelayPortOptions } from '../client/relay-port.ts';
import { type RelayPort, RelayUnreachableError } from '../../seams/relay-port.ts';

/** "ed25519hex:x25519hex", as `meow-relay` prints its keys. */
export function parseRelayKey(text: string): ServerPublicKey | undefined {
  const [signing, agreement] = text.split(':').map((h) => fromHex(h));
  if (!signing || !agreement || signing.length !== 32 || agreement.length !== 32) return undefined;
  return { role: 'server', signing, agreement };
}

export function formatRelayKey(key: ServerPublicKey): string {
  return `${toHex(key.signing)}:${toHex(key.agreement)}`;
}

/** The file of keys learnt on first contact: { url: "ed:x" }. */
export class KnownRelayKeys {
  constructor(private readonly path: string) {}

  get(url: string): ServerPublicKey | undefined {
    const text = this.read()[url];
    return text === undefined ? undefined : parseRelayKey(text);
  }

  remember(url: string, key: ServerPublicKey): void {
    const all = this.read();
    all[url] = formatRelayKey(key);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
}

export function pinnedRelayPort(url: string, options: RelayPortOptions, pinned: ServerPublicKey | undefined, known: KnownRelayKeys): RelayPort {
  let inner: RelayPort | undefined;
  const resolve = async (): Promise<RelayPort> => {
    if (inner) return inner;
    let key = pinned ?? known.get(url);
    if (!key) {
      // First contact: learn the key from the relay's signed descriptor and keep it.
      const client = await connectRelay(url, options as ConnectOptions).catch((e: unknown) => {
        throw new RelayUnreachableError(e instanceof Error ? e.message : String(e));
      });
      key = client.serverKey;
      await client.close();
      known.remember(url, key);
    }
    inner = relayPort(url, { ...options, server: key });
    return inner;
  };
  return {
    url,
    probe: async () => {
      try {
        return await (await resolve()).probe();
      } catch {
        return false;
      }
    },
    deposit: async (tag, envelope) => (await resolve()).deposit(tag, envelope),
    fetch: async (lookup, acks) => (await resolve()).fetch(lookup, acks),
    register: async (lookup) => (await resolve()).register(lookup),
    close: async () => {
      await inner?.close();
      inner = undefined;
    },
  };
}
