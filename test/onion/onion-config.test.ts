/** Config field `onion` (apps/meow-node/onion-config.ts): the mesh gateway and the gateway's allowance, refused clearly when wrong. */
import { describe, expect, it } from 'vitest';
import { parseOnionConfig } from '../../apps/meow-node/onion-config.ts';

const KEY = 'ab'.repeat(32);

describe('onion config', () => {
  it('takes the gateway as "auto" or a 64-hex node key (lower-cased), and the allowance per sender', () => {
    expect(parseOnionConfig({ gateway: 'auto' })).toEqual({ gateway: 'auto' });
    expect(parseOnionConfig({ gateway: KEY.toUpperCase(), hops: 4 })).toEqual({ gateway: KEY, hops: 4 });
    expect(parseOnionConfig({ carryPerSenderPerHour: 0 })).toEqual({ carryPerSenderPerHour: 0 });
  });

  it('refuses a short key, a node id, a bad allowance and unknown fields, naming the field', () => {
    expect(() => parseOnionConfig({ gateway: 'ab'.repeat(8) })).toThrow('config: onion.gateway must be "auto" or the gateway node\'s public key, 64 hex digits');
    expect(() => parseOnionConfig({ gateway: '' })).toThrow('config: onion.gateway must be a non-empty string');
    expect(() => parseOnionConfig({ carryPerSenderPerHour: -1 })).toThrow('config: onion.carryPerSenderPerHour must be an integer in 0..3600');
    expect(() => parseOnionConfig({ gatway: 'auto' })).toThrow(/gatway/);
  });
});
