/**
 * Opens the agent in the page: the vault in IndexedDB under the user's
 * password (scrypt in pure JS: Web Crypto's subtle API is absent on plain
 * http), the portable crypto suite, getRandomValues, and the web port.
 */
import { Agent } from '../../agent/agent.ts';
import { createVault, openVault } from '../../agent/vault/vault.ts';
import { createNobleScryptKdf } from '../../agent/vault/noble-scrypt-kdf.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { fromHex, utf8 } from '../../protocol/codec/bytes.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { indexedDbVaultStorage } from './idb-storage.ts';
import type { NodeApi } from './api.ts';
import { createWebPort, type MeshNodeName, type WebPort } from './web-port.ts';
import { attachSocial, type WebSocial } from './social.ts';
import { webRelays } from './relay-port.ts';

export const browserRandom: RandomSource = {
  bytes(length) {
    const out = new Uint8Array(length);
    // getRandomValues fills at most 65536 bytes a call.
    for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
    return out;
  },
};

const clock = { now: () => Date.now() };
const storage = indexedDbVaultStorage();

export interface Opened {
  readonly agent: Agent;
  readonly port: WebPort;
  readonly social: WebSocial;
}

export function hasVault(): Promise<boolean> {
  return storage.exists();
}

/** The node's id and public key from its status: the agent puts the key on its cards (mesh://<node key>). */
async function meshNode(): Promise<MeshNodeName | undefined> {
  const res = await fetch('/status');
  const status = (await res.json()) as { nodeId?: string; nodeKey?: string };
  const id = status.nodeId ? fromHex(status.nodeId) : undefined;
  const key = status.nodeKey ? fromHex(status.nodeKey) : undefined;
  return id ? { id, ...(key?.length === 32 ? { key } : {}) } : undefined;
}

export async function openAgent(api: NodeApi, password: string, create: boolean, onError: (e: Error) => void): Promise<Opened> {
  const suite = createPortableSuite();
  const deps = { storage, kdf: createNobleScryptKdf(), random: browserRandom, suite };
  const session = create ? await createVault(deps, utf8(password)) : await openVault(deps, utf8(password));
  if (session.compartment.kind !== 'main' && create) throw new Error('vault created without a main compartment');
  const port = createWebPort(api, await meshNode(), onError);
  const agentDeps = { suite, random: browserRandom, clock, node: port };
  const agent = create ? await Agent.create(agentDeps, session.compartment) : await Agent.open(agentDeps, session.compartment);
  // Before the port starts: no control message or group copy arrives before the social features listen.
  const social = attachSocial(agent, port, { suite, random: browserRandom, clock }, webRelays(api, suite, clock));
  port.start();
  setInterval(() => void agent.tick().catch(onError), 60_000);
  return { agent, port, social };
}
