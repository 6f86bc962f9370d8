/**
 * Onion relays wired to each other in one process, on one injected clock,
 * with a mailbox core that accepts every deposit: what the simulator, the
 * unit tests and the benchmark use to measure the protocol without sockets
 * (the loopback tests use real doors). No module state: each call builds its own.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { generateDualKeyPair } from '../../../protocol/keys/keys.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { createServerDescriptor } from '../../../protocol/server/descriptor.ts';
import { decodeRequestFrame } from '../../../protocol/server/frame.ts';
import { encodeOkResponse } from '../../../protocol/server/response.ts';
import { openRequest, sealResponse, serverIdOf } from '../../../protocol/server/seal.ts';
import type { Clock } from '../../../seams/clock.ts';
import { OnionRelay } from './onion-relay.ts';

export interface InProcessChain {
  readonly relays: readonly OnionRelay[];
  /** Deposit requests that reached a mailbox, with the clock's time. */
  readonly deposits: { readonly atMs: number; readonly request: Uint8Array }[];
}

export function createInProcessChain(suite: CryptoSuite, random: RandomSource, clock: Clock, count: number): InProcessChain {
  const byId = new Map<string, OnionRelay>();
  const deposits: { atMs: number; request: Uint8Array }[] = [];
  const relays: OnionRelay[] = [];
  for (let i = 0; i < count; i++) {
    const key = generateDualKeyPair(suite, random, 'server');
    const serverId = serverIdOf(suite, key.publicKey);
    const descriptor = createServerDescriptor(suite, key, [`http://relay-${i}.invalid`], Math.floor(clock.now() / 1000), Math.floor(clock.now() / 1000) + 86_400);
    const core = {
      serverId,
      descriptor: () => descriptor,
      handle(frame: Uint8Array) {
        const f = decodeRequestFrame(frame);
        if (!f.ok || f.value.type !== 'sealed') throw new Error('in-process core takes sealed requests only');
        const opened = openRequest(suite, key, serverId, f.value);
        if (!opened.ok) throw new Error(opened.code);
        deposits.push({ atMs: clock.now(), request: opened.value.plaintext });
        return Promise.resolve(sealResponse(suite, random, opened.value, encodeOkResponse('deposit', { id: new Uint8Array(16), duplicate: false })));
      },
    };
    const relay = new OnionRelay({
      suite, random, clock, key, core,
      forward: async (next, packet) => {
        const to = byId.get(toHex(next));
        if (!to) throw new Error('unknown relay');
        const answer = await to.handle(packet, { source: 'in-process', maxResponseBytes: 4096 });
        if (answer[0] !== 0x84) throw new Error('refused');
      },
    });
    byId.set(toHex(serverId), relay);
    relays.push(relay);
  }
  return { relays, deposits };
}
