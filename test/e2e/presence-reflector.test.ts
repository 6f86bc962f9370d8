/**
 * Hole punching wired through the programs, on loopback: a meow-relay with
 * its address reflector (--reflect-port) and two meow-node processes whose
 * `direct.reflector` names it. Each node learns its endpoint's address from
 * the reflector and advertises it (their endpoints bind 0.0.0.0 and have
 * no other address to give), punches towards its contact every tick,
 * and sends from its endpoint socket; messages go both ways directly, also
 * with the relay stopped. Loopback has no NAT: the observed address is the
 * bound one, and this shows the wiring, not a NAT traversal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, HistoryResponse, ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { api, eventually, type NodeProcess, ready, type RelayProcess, restart, stop, stopRelay } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-reflector-'));
const relayPort = 20650;
const reflectPort = 20651;
const relayBin = new URL('../../bin/meow-relay.js', import.meta.url).pathname;

function startNode(name: string, udpPort: number, peerPort: number, statusPort: number, directPort: number): NodeProcess {
  writeFileSync(join(root, `${name}.json`), JSON.stringify({
    dataDir: join(root, name), region: 'none', log: { level: 'warn' }, status: { port: statusPort },
    links: [{ type: 'udp', port: udpPort, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peerPort}`], mdns: false }],
    // Bound on every interface with no advertised address: only the reflector's observation gives contacts one that works.
    direct: { host: '0.0.0.0', port: directPort, reflector: `udp://127.0.0.1:${reflectPort}` },
  }));
  const node = { dir: join(root, name), statusPort, stderr: '' } as NodeProcess;
  restart(root, node, name);
  return node;
}

async function startRelay(): Promise<RelayProcess> {
  const dir = join(root, 'relay');
  const child = spawn(process.execPath, [relayBin, '--data', dir, '--port', String(relayPort), '--stamp-bits', '8', '--reflect-port', String(reflectPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay: RelayProcess = { url: `http://127.0.0.1:${relayPort}`, dir, port: relayPort, child, out: '' };
  await new Promise<void>((resolve, reject) => {
    const seen = (d: Buffer): void => {
      relay.out += d.toString();
      if (relay.out.includes('address reflector')) resolve();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d: Buffer) => (relay.out += d.toString()));
    child.once('exit', (code) => reject(new Error(`meow-relay exited ${code}: ${relay.out}`)));
  });
  return relay;
}

let relay: RelayProcess | undefined;
let alice: NodeProcess;
let bob: NodeProcess;
afterAll(async () => {
  if (alice) await stop(alice);
  if (bob) await stop(bob);
  if (relay) await stopRelay(relay);
  rmSync(root, { recursive: true, force: true });
});

async function message(node: NodeProcess, contactId: string, text: string, want: (m: MessageView) => boolean, what: string): Promise<MessageView> {
  return eventually(async () => {
    const list = (await api<HistoryResponse>(node, 'GET', `/v1/contacts/${contactId}/messages?limit=100`)).json.messages;
    const m = list.find((x) => x.text === text);
    return m && want(m) ? m : undefined;
  }, 90_000, what).catch((e: unknown) => {
    console.log(alice.stderr, bob.stderr, relay?.out);
    throw e;
  });
}

describe('hole punching through the programs (loopback)', () => {
  it('advertises the reflector-observed address and talks directly, with the relay up and stopped', async () => {
    relay = await startRelay();
    expect(relay.out).toContain(`meow-relay: address reflector udp://127.0.0.1:${reflectPort}`);
    alice = startNode('alice', 20652, 20659, 20653, 20654);
    bob = startNode('bob', 20655, 20660, 20656, 20657);
    await ready(alice);
    await ready(bob);
    await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' });
    await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' });
    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob', relays: [relay.url] });
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.armored, name: 'alice', relays: [relay.url] });
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
    const aliceBob: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    for (const [node, id] of [[alice, aliceBob.id], [bob, bobAlice.id]] as const) {
      expect((await api(node, 'PATCH', `/v1/contacts/${id}`, { policy: { mode: 'direct', relays: [relay.url] } })).status).toBe(200);
    }
    for (const node of [alice, bob]) expect((await api(node, 'POST', '/v1/mailboxes/fetch')).status).toBe(200);

    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'through the reflector' });
    expect((await message(alice, aliceBob.id, 'through the reflector', (m) => m.state === 'sent' || m.state === 'delivered', 'sent')).via).toBe('direct');
    await message(bob, bobAlice.id, 'through the reflector', () => true, 'bob has it');
    // Bob's receipt came straight back: he read Alice's presence while the relay was up.
    await message(alice, aliceBob.id, 'through the reflector', (m) => m.state === 'delivered', 'delivered');
    await stopRelay(relay);
    await api(bob, 'POST', '/v1/messages', { contactId: bobAlice.id, text: 'and back, relay down' });
    expect((await message(bob, bobAlice.id, 'and back, relay down', (m) => m.state === 'sent' || m.state === 'delivered', 'bob sent')).via).toBe('direct');
    await message(alice, aliceBob.id, 'and back, relay down', () => true, 'alice has it');
    expect(alice.stderr + bob.stderr).not.toContain('reflector did not answer');
  }, 300_000);
});
