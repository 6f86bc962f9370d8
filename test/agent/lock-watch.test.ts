/**
 * Locking (Agent.close) withdraws the agent's watch list from the node: the
 * node no longer holds or uses the Lkp secrets of a locked vault's mailboxes
 * (docs/THREAT-MODEL.md, "The vault"); opening again gives them back.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { Agent } from '../../agent/agent.ts';
import { memoryCompartment } from '../../agent/compartment.ts';
import type { WatchedMailbox } from '../../seams/node-port.ts';
import { MemoryMesh } from './memory-node.ts';

const suite = createPortableSuite();

describe('lock and the watch list', () => {
  it('close() leaves the node watching nothing; open() watches the mailboxes again', async () => {
    const mesh = new MemoryMesh();
    const node = mesh.port(fromHex('0101010101010101'));
    const lists: (readonly WatchedMailbox[])[] = [];
    const watch = node.watch.bind(node);
    node.watch = (m) => {
      lists.push(m);
      watch(m);
    };
    const vault = memoryCompartment();
    const clock = { now: () => 1_700_000_000_000 };
    const agent = await Agent.create({ suite, random: new SeededRandom(1), clock, node }, vault);
    await agent.createInvitation('bob', { relays: ['http://relay.example.org:8470'] });
    const watched = lists[lists.length - 1]!;
    expect(watched).toHaveLength(1);
    expect(watched[0]!.lookupSecret).toHaveLength(32);
    expect(watched[0]!.relays).toEqual(['http://relay.example.org:8470']);

    agent.close();
    expect(lists[lists.length - 1]).toEqual([]);
    expect(node.watchedTags).toEqual([]);

    const again = await Agent.open({ suite, random: new SeededRandom(2), clock, node }, vault);
    expect(node.watchedTags).toEqual(watched.map((w) => Buffer.from(w.tag).toString('hex')));
    again.close();
  });
});
