/**
 * The vault at the real cost (scrypt N = 2^17, r = 8, p = 1; the default
 * layout: 8 slots of 128 KiB in a real file): unlock time with the main
 * password, a hidden one and a wrong one, each beside the bare KDF measured
 * in the same run (the ratio shows what trying every slot adds), the
 * whole-file rewrite of a save (fsync included), and the portable KDF a
 * browser would run.
 * `npm run bench -- --only vault` (median of 5 runs; 3 with --quick).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNobleScryptKdf } from '../../agent/vault/noble-scrypt-kdf.ts';
import { createVault, openVault } from '../../agent/vault/vault.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { writeFileAtomic } from '../../node-runtime/keystore/atomic-write.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { createNodeScryptKdf } from '../../node-runtime/platform/scrypt-kdf.ts';
import { createVaultFile } from '../../node-runtime/platform/vault-file.ts';
import { type Benchmark, withBaseline } from './harness.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const bench: Benchmark = async ({ report, quick }) => {
  const runs = quick ? 3 : 5;
  const dir = await mkdtemp(join(tmpdir(), 'meow-vault-bench-'));
  try {
    const kdf = createNodeScryptKdf();
    const deps = { storage: createVaultFile(join(dir, 'vault.meow'), writeFileAtomic), kdf, random: systemRandom, suite: createNodeSuite() };
    const session = await createVault(deps, utf8('main password'));
    await session.compartment.save(new Uint8Array(64 * 1024).fill(1));
    await session.createHidden(utf8('hidden password'));

    const salt = systemRandom.bytes(32);
    const bareKdf = await medianMs(runs, () => kdf.derive(utf8('main password'), salt));
    for (const [name, password] of [['main', 'main password'], ['hidden', 'hidden password'], ['wrong', 'not a password']] as const) {
      const ms = await medianMs(runs, () => openVault(deps, utf8(password)).catch(() => undefined));
      report(withBaseline(`vault.unlock.${name}`, ms, 'ms', bareKdf, 'bare scrypt 2^17 (node:crypto)'));
    }
    const saveMs = await medianMs(runs, () => session.compartment.save(new Uint8Array(64 * 1024).fill(2)));
    report({ name: 'vault.save.1MiB-file', value: saveMs, unit: 'ms' });
    const portable = await medianMs(quick ? 1 : 3, () => createNobleScryptKdf().derive(utf8('main password'), salt));
    report(withBaseline('vault.kdf.portable', portable, 'ms', bareKdf, 'node:crypto scrypt'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export default bench;
