/** Which servers my group mailbox names, and where a copy for a member's goes (agent/social/mailbox-route.ts). */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../protocol/codec/bytes.ts';
import { groupCopyRoute, myGroupMailboxServers } from '../../../agent/social/mailbox-route.ts';

/** Ed25519 public key of RFC 8032 section 7.1, TEST 1: a valid node key. */
const NODE_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const NODE_ID = '0123456789abcdef';
const PINNED = 'https://relay.example.net#k=00112233445566778899aabbccddeeff';
const lookupKey = new Uint8Array(32).fill(2);

describe('group mailbox routes', () => {
  it('names my node by key when the port knows it, else by id, then relays, two servers at most', () => {
    const key = fromHex(NODE_KEY)!;
    const id = fromHex(NODE_ID)!;
    expect(myGroupMailboxServers({ meshNodeId: id, meshNodeKey: key }, [PINNED, 'https://b.example'])).toEqual([`mesh://${NODE_KEY}`, PINNED]);
    expect(myGroupMailboxServers({ meshNodeId: id }, [])).toEqual([`mesh://${NODE_ID}`]);
    expect(myGroupMailboxServers({}, [PINNED, 'https://b.example', 'https://c.example'])).toEqual([PINNED, 'https://b.example']);
  });

  it('sends a copy to the mailbox\'s node by its 32-byte key, or its 8-byte id, and to its relays with their pinned keys', () => {
    const byKey = groupCopyRoute({ lookupKey, servers: [PINNED, `mesh://${NODE_KEY}`] });
    expect(toHex(byKey.meshNode!)).toBe(NODE_KEY);
    expect(byKey.relays).toEqual([PINNED]);
    const byId = groupCopyRoute({ lookupKey, servers: [`mesh://${NODE_ID}`] });
    expect(toHex(byId.meshNode!)).toBe(NODE_ID);
    expect(byId.relays).toEqual([]);
    expect(groupCopyRoute({ lookupKey, servers: [PINNED] })).toEqual({ relays: [PINNED] });
    // A stored mesh entry that does not parse is neither a node nor a relay.
    expect(groupCopyRoute({ lookupKey, servers: ['mesh://nonsense', 'https://b.example'] })).toEqual({ relays: ['https://b.example'] });
  });
});
