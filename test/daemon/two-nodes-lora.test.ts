/**
 * The same daemon and router over LoRa: two mesh nodes, each with an
 * emulated Waveshare/Ebyte E22 HAT on the real serialport stack (binding-mock)
 * and fake GPIO mode pins, sharing one emulated ether. The daemon opens
 * the HATs exactly as on a Pi (config mode, registers, normal mode), and a
 * sealed message crosses, under the EU868 duty-cycle limiter.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { type LoRaLinkConfig, parseConfig } from '../../apps/meow-node/config.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { type MeshNode, startMeshNode } from '../../apps/meow-node/mesh-node.ts';
import { openLoRaFromConfig } from '../../apps/meow-node/open-lora.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { E22Emulator } from '../../hardware/e22/emulator.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import { FakeGpio } from '../../hardware/gpio/fake-gpio.ts';
import { openPort } from '../hardware/support/emulated-hat.ts';

const dirs: string[] = [];
const nodes: MeshNode[] = [];
const emulators: E22Emulator[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
  emulators.splice(0);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function loraNode(name: string, ether: E22Ether): Promise<MeshNode> {
  const dir = mkdtempSync(join(tmpdir(), `meow-lora-${name}-`));
  dirs.push(dir);
  const gpio = new FakeGpio();
  const emulator = new E22Emulator({ name, gpio, ether, clock: systemClock, modeSwitchMs: 1 });
  emulators.push(emulator);
  const config = parseConfig({
    dataDir: dir, region: 'EU868', status: { port: 0 },
    links: [{ type: 'lora', path: `/dev/serial0-${name}`, channel: 18, airRateBps: 9600 }],
  });
  const node = await startMeshNode(config, {
    clock: systemClock, random: systemRandom, suite: createNodeSuite(), log: createLogger('warn', Date.now, () => {}),
    openLoRa: (entry: LoRaLinkConfig, deps) => openLoRaFromConfig(entry, {
      ...deps,
      open: {
        gpio, driver: { modeSettleMs: 5 },
        openPort: async (path, baud) => {
          const port = await openPort(`${path}-${Math.random()}`, baud);
          emulator.attach(port.port!);
          return port;
        },
      },
    }),
  });
  nodes.push(node);
  return node;
}

describe('mesh nodes over emulated LoRa HATs', () => {
  it('configure the modules, deliver a sealed message and account airtime against the EU868 duty cycle', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const a = await loraNode('a', ether);
    const b = await loraNode('b', ether);
    const { alice, bob } = createSessionPair(createPortableSuite(), new SeededRandom('lora'));
    const { envelope } = alice.sealText('over the air');
    await a.router.sendDirect(b.nodeId, envelope);
    const tag = bob.mailboxes(Date.now())[0]!.tag;
    expect(b.store.mailboxes.list(tag, { limit: 10 }).map((m) => m.bytes)).toEqual([envelope]);

    const link = a.status().links[0]!;
    expect(link.kind).toBe('lora');
    expect(link.mtu).toBe(239);
    expect(link.scheduler.airtimeMs).toBeGreaterThan(0);
    expect(link.scheduler.dutyCycle.length).toBeGreaterThan(0); // a regional budget applies
    expect(link.scheduler.dutyCycleUse).toBeGreaterThan(0);
    expect(emulators[0]!.savedConfig).toMatchObject({ channel: 18, airRateBps: 9600, txPowerDbm: 13 });

    // The airtime spent is saved for the next start (the law counts any hour, reboots included).
    await a.stop();
    nodes.splice(nodes.indexOf(a), 1);
    const file = readdirSync(dirs[0]!).find((f) => f.startsWith('airtime-') && f.endsWith('.json'))!;
    const saved = JSON.parse(readFileSync(join(dirs[0]!, file), 'utf8')) as { airtimeMs: number }[];
    expect(saved.reduce((sum, s) => sum + s.airtimeMs, 0)).toBeCloseTo(link.scheduler.airtimeMs, 0);
  });
});
