/**
 * Importing an invitation already accepted (issue 8 audit: `meow card
 * import for-bob.card --name alice2` after `--name alice` made a second
 * contact for one person): refused, naming the contact, nothing changed.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { Agent } from '../../agent/agent.ts';
import { memoryCompartment } from '../../agent/compartment.ts';
import { MemoryMesh } from '../agent/memory-node.ts';

describe('an invitation accepted twice', () => {
  it('is refused the second time, whatever the name, and the contacts stay as they were', async () => {
    const suite = createPortableSuite();
    const mesh = new MemoryMesh();
    const clock = { now: () => 1_700_000_000_000 };
    const alice = await Agent.create({ suite, random: new SeededRandom(1), clock, node: mesh.port(fromHex('0101010101010101')) }, memoryCompartment());
    const bob = await Agent.create({ suite, random: new SeededRandom(2), clock, node: mesh.port(fromHex('0202020202020202')) }, memoryCompartment());
    const invite = await alice.createInvitation('bob');
    await bob.importCard(invite.card!.bytes, { name: 'alice' });
    const before = bob.contacts();
    await expect(bob.importCard(invite.card!.bytes, { name: 'alice2' })).rejects.toMatchObject({
      code: 'card-mismatch', message: 'you already accepted this invitation: it is your contact "alice"',
    });
    expect(bob.contacts()).toEqual(before);
    // Another invitation from the same person is a new contact, as before.
    const second = await alice.createInvitation('bob at work');
    await expect(bob.importCard(second.card!.bytes, { name: 'alice at work' })).resolves.toMatchObject({ contact: { name: 'alice at work' } });
  });
});
