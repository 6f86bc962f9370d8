/**
 * RNode replies (hardware/rnode/commands.ts), byte by byte as the firmware
 * sends them (RSSI + 157, SNR x 4 signed, u32 big-endian), and fuzzed: every
 * truncation and random bytes decode to a value, never an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeReply, RNODE_CMD } from '../../hardware/rnode/commands.ts';
import { checkRadioConfig } from '../../hardware/rnode/radio-config.ts';
import { RNodeError } from '../../hardware/rnode/errors.ts';

describe('RNode replies', () => {
  it('decodes the documented fields', () => {
    expect(decodeReply(RNODE_CMD.statRssi, Uint8Array.of(60))).toEqual({ kind: 'rssi', dbm: -97 });
    expect(decodeReply(RNODE_CMD.statSnr, Uint8Array.of(0xef))).toEqual({ kind: 'snr', db: -4.25 });
    expect(decodeReply(RNODE_CMD.frequency, Uint8Array.of(0x33, 0xd3, 0xe6, 0x08))).toEqual({ kind: 'frequency', hz: 869_525_000 });
    expect(decodeReply(RNODE_CMD.firmwareVersion, Uint8Array.of(1, 82))).toEqual({ kind: 'firmware-version', major: 1, minor: 82 });
    expect(decodeReply(RNODE_CMD.error, Uint8Array.of(2))).toEqual({ kind: 'error', code: 2, message: 'transmit failed' });
    expect(decodeReply(0x77, new Uint8Array(0))).toEqual({ kind: 'unknown', command: 0x77 });
  });

  it('calls every truncation malformed, not an exception nor a wrong value', () => {
    for (const command of [RNODE_CMD.frequency, RNODE_CMD.bandwidth]) {
      for (let n = 0; n < 4; n++) expect(decodeReply(command, new Uint8Array(n)).kind).toBe('malformed');
    }
    for (const command of [RNODE_CMD.txPower, RNODE_CMD.statRssi, RNODE_CMD.statSnr, RNODE_CMD.radioState, RNODE_CMD.detect, RNODE_CMD.error]) {
      expect(decodeReply(command, new Uint8Array(0)).kind).toBe('malformed');
    }
    expect(decodeReply(RNODE_CMD.firmwareVersion, Uint8Array.of(1)).kind).toBe('malformed');
  });

  it('never throws on random command bytes and data', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 12 }), (command, data) => {
      expect(typeof decodeReply(command, data).kind).toBe('string');
    }), { numRuns: 2000 });
  });

  it('refuses settings outside the chips\' range with a typed error naming the field', () => {
    const good = { frequencyHz: 868_000_000, bandwidthHz: 125_000, spreadingFactor: 9, codingRate: 5, txPowerDbm: 14 };
    expect(() => checkRadioConfig(good)).not.toThrow();
    for (const [field, value] of [['frequencyHz', 5], ['bandwidthHz', 100_000], ['spreadingFactor', 13], ['codingRate', 4], ['txPowerDbm', 30]] as const) {
      const e = (() => { try { checkRadioConfig({ ...good, [field]: value }); } catch (err) { return err; } return undefined; })();
      expect(e).toBeInstanceOf(RNodeError);
      expect((e as RNodeError).fields.field).toBe(field);
    }
  });
});
