/**
 * The node host keeps two vault sessions open at once (the main one and a
 * hidden one, each opened by its password) over one file. What each saves
 * must survive the other's next save: a session rewrites every slot from
 * the copy it holds (agent/vault/session.ts persist), so a stale copy would
 * put an older hidden document, or an older main one, back on disk.
 * Also: a second hidden compartment created from inside a hidden session.
 */
import { describe, expect, it } from 'vitest';
import { createVault, openVault } from '../../agent/vault/vault.ts';
import { countingDeps, MemoryVaultStorage, SMALL_LAYOUT, text } from './vault/helpers.ts';

const layout = { layout: SMALL_LAYOUT };
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function twoOpen() {
  const storage = new MemoryVaultStorage();
  const { deps } = countingDeps(storage, 'sessions');
  const created = await createVault(deps, text('main pw'), layout);
  await created.compartment.save(text('main v1'));
  await created.createHidden(text('hidden pw'));
  created.close();
  const main = await openVault(deps, text('main pw'), layout);
  const hidden = await openVault(deps, text('hidden pw'), layout);
  return { deps, main, hidden };
}

describe('main and hidden sessions open together', () => {
  it('a second hidden compartment made from inside a hidden one opens with its own password, the first one intact', async () => {
    const { deps, main, hidden } = await twoOpen();
    await hidden.compartment.save(text('hidden 1'));
    await hidden.createHidden(text('second pw'));
    const second = await openVault(deps, text('second pw'), layout);
    expect(second.compartment.kind).toBe('hidden');
    await second.compartment.save(text('hidden 2'));
    expect(read((await openVault(deps, text('hidden pw'), layout)).compartment.load())).toBe('hidden 1');
    expect(read((await openVault(deps, text('second pw'), layout)).compartment.load())).toBe('hidden 2');
    main.close();
  });

  // Each write re-reads the file first (agent/vault/session.ts refresh), so the later writer keeps what the other wrote.
  it('saving the main session keeps the hidden slot\'s newer content, and the other way round', async () => {
    const { deps, main, hidden } = await twoOpen();
    await hidden.compartment.save(text('hidden newer'));
    await main.compartment.save(text('main v2'));
    expect(read((await openVault(deps, text('hidden pw'), layout)).compartment.load())).toBe('hidden newer');
    await hidden.compartment.save(text('hidden newest'));
    expect(read((await openVault(deps, text('main pw'), layout)).compartment.load())).toBe('main v2');
  });
});
