import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { NODE_ID_BYTES, nodeIdFromKey } from '../../protocol/keys/node-id.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';

// RFC 8032 section 7.1 TEST 1 public key, used here only as a well-known 32-byte Ed25519 key.
const RFC8032_TEST1_PUBLIC = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')!;

describe('nodeIdFromKey', () => {
  for (const suite of [createPortableSuite(), createNodeSuite()]) {
    it(`is the first 8 bytes of SHA-256("meow-node-id" || key) (${suite.name})`, () => {
      const expected = createHash('sha256').update('meow-node-id').update(RFC8032_TEST1_PUBLIC).digest().subarray(0, 8);
      const id = nodeIdFromKey(suite, RFC8032_TEST1_PUBLIC);
      expect(id.length).toBe(NODE_ID_BYTES);
      expect(toHex(id)).toBe(toHex(expected));
      expect(toHex(id)).toBe('7432045c9115d7e9');
    });
  }

  it('names the same node as the mesh router does (mesh:// URLs in cards must match router ids)', () => {
    const suite = createNodeSuite();
    for (let i = 0; i < 20; i++) {
      const key = suite.ed25519PublicKey(new Uint8Array(32).fill(i));
      expect(toHex(nodeIdFromKey(suite, key))).toBe(toHex(meshNodeId(suite, key)));
    }
  });

  it('refuses anything but a 32-byte key', () => {
    const suite = createPortableSuite();
    expect(() => nodeIdFromKey(suite, new Uint8Array(31))).toThrow(expect.objectContaining({ name: 'KeyError', code: 'bad-key-length' }));
    expect(() => nodeIdFromKey(suite, new Uint8Array(33))).toThrow(expect.objectContaining({ name: 'KeyError', code: 'bad-key-length' }));
  });
});
