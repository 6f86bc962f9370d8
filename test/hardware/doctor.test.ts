/**
 * `meow doctor` (apps/meow/doctor.ts) against the emulators, each fault
 * injected: module silent, module answering garbage, wrong region, full
 * disk, UART taken by the console; and the RNode emulator healthy and silent.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { FakeGpio } from '../../hardware/gpio/fake-gpio.ts';
import { E22Driver } from '../../hardware/e22/driver.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import { RNodeAir } from '../../hardware/rnode/air.ts';
import { doctor, EXIT_DOCTOR_FAIL, EXIT_DOCTOR_WARN, exitCodeOf, runDoctor, type DoctorDeps, type Finding } from '../../apps/meow/doctor.ts';
import { emulatedHat, openPort, type EmulatedHat } from './support/emulated-hat.ts';
import { emulatedRNode } from './support/emulated-rnode.ts';

type Fault = 'none' | 'silent' | 'garbage';
const hats: EmulatedHat[] = [];
afterEach(() => {
  for (const h of hats.splice(0)) h.emulator.destroy();
});

async function openE22(fault: Fault): Promise<E22Driver> {
  if (fault === 'none') {
    const hat = await emulatedHat({ ether: new E22Ether({ clock: systemClock }) });
    hats.push(hat);
    return hat.driver;
  }
  const port = await openPort(`/dev/e22-doctor-${randomUUID()}`);
  if (fault === 'garbage') {
    const device = port.port!;
    const write = device.write.bind(device);
    device.write = async (b: Buffer): Promise<void> => {
      await write(b);
      device.emitData(Buffer.from([0x17, 0x42, 0x99, 0x00, 0x55]));
    };
  }
  return E22Driver.open({ port, gpio: new FakeGpio(), clock: systemClock, modeSettleMs: 5, commandTimeoutMs: 150 });
}

function deps(over: Partial<DoctorDeps> & { fault?: Fault } = {}): DoctorDeps {
  const { fault = 'none', ...rest } = over;
  return {
    readFile: async (p) => (p === '/boot/firmware/cmdline.txt' ? 'console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n' : undefined),
    exists: async () => true,
    writable: async () => true,
    freeBytes: async () => 8 * 1024 ** 3,
    now: () => Date.UTC(2026, 5, 1),
    openE22: () => openE22(fault),
    openSerial: () => { throw new Error('no serial here'); },
    reach: async () => undefined,
    cmdlinePaths: ['/boot/firmware/cmdline.txt'],
    hostapdConfPath: '/etc/hostapd/meow.conf',
    ...rest,
  };
}

const lora = { type: 'lora', path: '/dev/serial0', channel: 18, airRateBps: 2400, netId: 0, txPowerDbm: 10 };
const config = { region: 'EU868', dataDir: '/var/lib/meow', links: [lora] };
const byCheck = (findings: Finding[], check: string): Finding | undefined => findings.find((f) => f.check === check);

describe('meow doctor', () => {
  it('passes a healthy node on the emulated HAT', async () => {
    const findings = await runDoctor(config, deps());
    expect(findings.filter((f) => f.verdict !== 'ok')).toEqual([]);
    expect(byCheck(findings, 'module')?.detail).toContain('answers its registers');
    expect(exitCodeOf(findings)).toBe(0);
  });

  it('module silent: fails the module check and says what to look at', async () => {
    const findings = await runDoctor(config, deps({ fault: 'silent' }));
    expect(byCheck(findings, 'module')).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('silent') });
    expect(exitCodeOf(findings)).toBe(EXIT_DOCTOR_FAIL);
  });

  it('module answering garbage: fails and names it', async () => {
    const findings = await runDoctor(config, deps({ fault: 'garbage' }));
    expect(byCheck(findings, 'module')).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/garbage|silent/) });
  });

  it('wrong region: a US channel on an EU868 node fails the region check', async () => {
    const findings = await runDoctor({ ...config, links: [{ ...lora, channel: 65 }] }, deps());
    expect(byCheck(findings, 'region')).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('outside EU868') });
  });

  it('full disk: fails the disk check', async () => {
    const findings = await runDoctor(config, deps({ freeBytes: async () => 3 * 1024 * 1024 }));
    expect(byCheck(findings, 'disk')).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('3.0 MiB free') });
  });

  it('UART taken by the console: fails with the line to remove', async () => {
    const findings = await runDoctor(config, deps({ readFile: async () => 'console=serial0,115200 console=tty1 root=PARTUUID=1-02 rootwait\n' }));
    expect(byCheck(findings, 'uart-console')).toMatchObject({ verdict: 'fail', fix: expect.stringContaining('remove "console=serial0,115200"') });
  });

  it('warns for an unset clock and an unreachable relay (exit 3), and prints JSON for scripts', async () => {
    const out: string[] = [];
    const d = deps({
      now: () => 0, reach: async () => 'getaddrinfo EAI_AGAIN relay.example',
      readFile: async (p) => (p === '/etc/meow/node.json' ? JSON.stringify({ ...config, links: [], gateway: { relays: ['https://relay.example'] } }) : undefined),
    });
    const code = await doctor({ stdout: { write: (t: string) => out.push(t) }, env: {} } as never, ['--json'], d);
    expect(code).toBe(EXIT_DOCTOR_WARN);
    const report = JSON.parse(out.join('')) as { findings: Finding[]; exitCode: number };
    expect(report.findings.map((f) => `${f.check}:${f.verdict}`)).toEqual(['disk:ok', 'clock:warn', 'relay:warn']);
  });

  it('an unreadable config is a failure with what to do, not a stack trace', async () => {
    const out: string[] = [];
    const code = await doctor({ stdout: { write: (t: string) => out.push(t) }, env: {} } as never, ['--config', '/nope.json'], deps({ readFile: async () => undefined }));
    expect(code).toBe(EXIT_DOCTOR_FAIL);
    expect(out.join('')).toContain('cannot read /nope.json');
  });

  it('checks an RNode: healthy, then silent', async () => {
    const air = new RNodeAir({ clock: systemClock });
    const rnodeLink = { type: 'rnode', path: '', frequencyHz: 869_525_000, bandwidthHz: 125_000 };
    for (const fault of ['none', 'silent'] as const) {
      const radio = emulatedRNode({ air, fault });
      const findings = await runDoctor({ region: 'EU868', links: [{ ...rnodeLink, path: radio.path }] }, deps({ openSerial: radio.openPort }));
      expect(byCheck(findings, 'module')?.verdict).toBe(fault === 'none' ? 'ok' : 'fail');
      radio.emulator.destroy();
    }
  });
});
