/**
 * Group copies from the daemon's social host (apps/meow-node/local-api/social-host.ts)
 * reach the router with the member's node key: the member's host names its
 * node by key in its group mailbox, the group-join and group-keys carry it
 * through real 1:1 sessions (test/agent/social/world.ts), the admin's host
 * submits each copy with that key as `meshNode` to the real in-process node
 * port, whose send loop gives the router the key as the destination key, so
 * the router puts an authenticated origin on it beyond one hop
 * (docs/PROTOCOL.md "Authenticated source"), as for a 1:1 contact whose card
 * carries the key. Only the router's sendDirect is a recorder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import type { SubmitRequest } from '../../seams/node-port.ts';
import { createNodeSocialHost } from '../../apps/meow-node/local-api/social-host.ts';
import { createInProcessNodePort, type InProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { createGroup, findGroup, inviteToGroup, joinGroup, sendGroupText } from '../../agent/social/groups.ts';
import { fromStoredMailbox } from '../../agent/social/group-state.ts';
import { World, suite } from '../agent/social/world.ts';

const RELAY = 'https://relay.example.net';
const clock = { now: () => 1_790_000_000_000, setTimer: () => ({ cancel: () => undefined }) };
const log = createLogger('error', () => 0, () => undefined);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * A social host on a real node port (in-memory store) whose router records
 * each send as [node id, destination key]; the node knows its key unless `keyless`.
 */
function hostOn(label: string, keyless = false) {
  const nodeKey = generateLookupKeyPair(suite, new SeededRandom(`node-${label}`)).publicKey; // any Ed25519 public key
  const store = openStore({ path: ':memory:', clock, random: new SeededRandom(`db-${label}`) });
  const routed: [string, string | undefined][] = [];
  const real = createInProcessNodePort({
    nodeId: meshNodeId(suite, nodeKey), ...(keyless ? {} : { nodePublicKey: nodeKey }), store, suite, clock, log,
    random: new SeededRandom(`port-${label}`),
    sendDirect: (nodeId: Uint8Array, _envelope: Uint8Array, destPublicKey?: Uint8Array) => {
      routed.push([toHex(nodeId), destPublicKey && toHex(destPublicKey)]);
      return Promise.resolve('acked');
    },
  });
  cleanups.push(() => {
    real.stop();
    store.close();
  });
  // The submissions, as the social host made them, on their way to the real port.
  const submitted: SubmitRequest[] = [];
  const port: InProcessNodePort = { ...real, submit: (request: SubmitRequest) => {
    submitted.push(request);
    return real.submit(request);
  } };
  const host = createNodeSocialHost({
    suite, random: new SeededRandom(`host-${label}`), clock, log, port, relays: [RELAY],
    mesh: { broadcast: () => undefined, onDeliver: () => undefined },
  });
  const sent = async (): Promise<[string, string | undefined][]> => {
    real.pump();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    return routed;
  };
  return { host, nodeKey, nodeId: meshNodeId(suite, nodeKey), submitted, sent };
}

async function aliceAndBobInAGroup(bobKeyless = false) {
  const world = new World();
  const alice = world.person('alice');
  const bob = world.person('bob');
  await world.connect(alice, bob);
  const a = hostOn('a');
  const b = hostOn('b', bobKeyless);
  const g = createGroup(alice.env, alice.state.groups, 'walkers', 'Alice', a.host.servers());
  await inviteToGroup(g, alice.channel, alice.contactFor(bob), 'Bob');
  await world.flush();
  await joinGroup(bob.env, bob.state.groups, bob.channel, g.id, b.host.servers());
  await world.flush();
  expect(findGroup(bob.state.groups, g.id).status).toBe('active');
  return { alice, bob, a, b, g };
}

describe('group copies from the node-hosted agent', () => {
  it('my group mailbox names this node by its key, then the first relay', () => {
    const { host, nodeKey } = hostOn('a');
    expect(host.servers()).toEqual([`mesh://${toHex(nodeKey)}`, RELAY]);
  });

  it('a copy to a member whose mailbox carries its node key is submitted with that key, both ways', async () => {
    const { alice, bob, a, b, g } = await aliceAndBobInAGroup();
    expect(await sendGroupText(alice.env, g, a.host.node, 'hello Bob')).toBe(1);
    const bobMailbox = fromStoredMailbox(g.members.find((m) => m.name === 'Bob')!.mailbox);
    expect(a.submitted).toHaveLength(1);
    expect(toHex(a.submitted[0]!.meshNode!)).toBe(toHex(b.nodeKey));
    expect(a.submitted[0]!.relays).toEqual([RELAY]);
    expect(toHex(a.submitted[0]!.tag)).toBe(toHex(mailboxTag(suite, bobMailbox.lookupKey)));
    // The node's send loop hands it to the router for Bob's node, with his key: the origin block's key.
    expect(await a.sent()).toEqual([[toHex(b.nodeId), toHex(b.nodeKey)]]);

    // Bob learnt Alice's mailbox from the group-keys table: his copy goes to her node by key too.
    await sendGroupText(bob.env, findGroup(bob.state.groups, g.id), b.host.node, 'hello Alice');
    expect(b.submitted.map((s) => toHex(s.meshNode!))).toEqual([toHex(a.nodeKey)]);
    expect(await b.sent()).toEqual([[toHex(a.nodeId), toHex(a.nodeKey)]]);
  });

  it('a member whose node gave no key is still reached by its node id (no authenticated origin)', async () => {
    const { alice, a, b, g } = await aliceAndBobInAGroup(true);
    await sendGroupText(alice.env, g, a.host.node, 'hello Bob');
    expect(toHex(a.submitted[0]!.meshNode!)).toBe(toHex(b.nodeId));
    expect(await a.sent()).toEqual([[toHex(b.nodeId), undefined]]);
  });
});
