import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import {
  decodeCommand, decodeReply, encodeCommand, encodeSignalRead, inRegisterWindow,
} from '../../hardware/e22/commands.ts';
import { E22Error } from '../../hardware/e22/errors.ts';

interface Vectors {
  commands: Array<{ name: string; command: string; reply: string }>;
  errorReply: string;
}
const vectors = JSON.parse(readFileSync(new URL('./vectors/e22-registers.json', import.meta.url), 'utf8')) as Vectors;
const hex = (text: string): Uint8Array => fromHex(text)!;

describe('E22 commands (datasheet 7.1)', () => {
  it('encodes and decodes the worked examples exactly', () => {
    for (const v of vectors.commands.filter((c) => !c.reply.startsWith('ff'))) {
      const command = decodeCommand(hex(v.command));
      expect(command.ok, v.name).toBe(true);
      if (!command.ok) continue;
      expect(toHex(encodeCommand(command.value)), v.name).toBe(toHex(hex(v.command)));
      const reply = decodeReply(hex(v.reply));
      expect(reply.ok, v.name).toBe(true);
      if (!reply.ok || reply.value.kind !== 'registers') continue;
      expect(reply.value.address).toBe(command.value.address);
      expect(reply.value.data.length).toBe(command.value.length);
    }
    expect(decodeReply(hex(vectors.errorReply))).toEqual({ ok: true, value: { kind: 'refused' } });
  });

  it('encodes write, read, temporary write and the normal-mode signal read', () => {
    expect(toHex(encodeCommand({ kind: 'write', address: 5, length: 1, data: Uint8Array.of(0x11) }))).toBe('c0050111');
    expect(toHex(encodeCommand({ kind: 'read', address: 0x80, length: 7, data: new Uint8Array(0) }))).toBe('c18007');
    expect(toHex(encodeCommand({ kind: 'writeTemporary', address: 0, length: 2, data: Uint8Array.of(0xff, 0xff) }))).toBe('c20002ffff');
    expect(toHex(encodeSignalRead(0, 2))).toBe('c0c1c2c30002');
    expect(toHex(encodeSignalRead(1, 1))).toBe('c0c1c2c30101');
  });

  it('keeps requests inside the register windows', () => {
    expect(inRegisterWindow(0, 9, true)).toBe(true);
    expect(inRegisterWindow(8, 1, true)).toBe(true);
    expect(inRegisterWindow(8, 2, true)).toBe(false);
    expect(inRegisterWindow(0x80, 7, false)).toBe(true);
    expect(inRegisterWindow(0x80, 7, true)).toBe(false);
    expect(inRegisterWindow(0x86, 2, false)).toBe(false);
    expect(inRegisterWindow(0x09, 1, false)).toBe(false);
    expect(inRegisterWindow(0, 0, false)).toBe(false);
    expect(() => encodeCommand({ kind: 'write', address: 0x80, length: 1, data: Uint8Array.of(1) })).toThrow(E22Error);
    expect(() => encodeCommand({ kind: 'write', address: 0, length: 2, data: Uint8Array.of(1) })).toThrow(E22Error);
    expect(() => encodeSignalRead(1, 2)).toThrow(E22Error);
  });

  it('tells "need more bytes" from "not a reply"', () => {
    expect(decodeReply(hex(''))).toMatchObject({ ok: false, code: 'truncated', offset: 0 });
    expect(decodeReply(hex('c1'))).toMatchObject({ ok: false, code: 'truncated', offset: 1 });
    expect(decodeReply(hex('c10007000000'))).toMatchObject({ ok: false, code: 'truncated', offset: 3 });
    expect(decodeReply(hex('ffff'))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeReply(hex('ff00ff'))).toMatchObject({ ok: false, code: 'bad-value', offset: 1 });
    expect(decodeReply(hex('c0050111'))).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
    expect(decodeReply(hex('c1000a'))).toMatchObject({ ok: false, code: 'bad-value', offset: 2 });
    expect(decodeReply(hex('c1ff01'))).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeReply(hex('c105011100'))).toMatchObject({ ok: false, code: 'trailing-bytes', offset: 4 });
    expect(decodeReply(hex('ffffffff'))).toMatchObject({ ok: false, code: 'trailing-bytes', offset: 3 });
    expect(decodeCommand(hex('c3'))).toMatchObject({ ok: false, code: 'bad-kind' });
    expect(decodeCommand(hex('c00501'))).toMatchObject({ ok: false, code: 'truncated', offset: 3 });
    expect(decodeCommand(hex('c08001aa'))).toMatchObject({ ok: false, code: 'bad-value', offset: 2 });
  });

  it('round-trips every valid command (property)', () => {
    const command = fc.oneof(
      fc.integer({ min: 0, max: 8 }).chain((address) => fc.record({
        kind: fc.constantFrom('write' as const, 'writeTemporary' as const, 'read' as const),
        address: fc.constant(address),
        data: fc.uint8Array({ minLength: 1, maxLength: 9 - address }),
      })),
      fc.integer({ min: 0x80, max: 0x86 }).chain((address) => fc.record({
        kind: fc.constant('read' as const), address: fc.constant(address), data: fc.uint8Array({ minLength: 1, maxLength: 0x87 - address }),
      })),
    ).map(({ kind, address, data }) => ({ kind, address, length: data.length, data: kind === 'read' ? new Uint8Array(0) : data }));
    fc.assert(fc.property(command, (c) => {
      const bytes = encodeCommand(c);
      const back = decodeCommand(bytes);
      expect(back).toEqual({ ok: true, value: c });
      // Every strict prefix asks for more bytes.
      for (let n = 0; n < bytes.length; n++) {
        const cut = decodeCommand(bytes.subarray(0, n));
        expect(cut.ok === false && cut.code).toBe('truncated');
      }
    }), { numRuns: 3000 });
  });

  it('fuzz: 150k random, truncated and mutated replies never throw and never read out of bounds', () => {
    const valid = [...vectors.commands.map((v) => hex(v.reply)), hex('ffffff'), hex('c18007001122334455aa66'), hex('c1000200c4')];
    let checked = 0;
    const check = (bytes: Uint8Array): void => {
      const r = decodeReply(bytes);
      checked++;
      if (r.ok) {
        if (r.value.kind === 'registers' && (r.value.data.length + 3 !== bytes.length)) throw new Error(`length mismatch ${toHex(bytes)}`);
        if (r.value.kind === 'refused' && bytes.length !== 3) throw new Error(`refusal ${toHex(bytes)}`);
      } else if (r.offset < 0 || r.offset > bytes.length) {
        throw new Error(`offset ${r.offset} outside input ${toHex(bytes)}`);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => check(bytes)), { numRuns: 60_000 });
    fc.assert(fc.property(fc.constantFrom(...valid), fc.nat(), fc.nat(255), (base, at, value) => {
      const mutated = base.slice();
      mutated[at % mutated.length] = value;
      check(mutated);
      check(mutated.subarray(0, at % (mutated.length + 1)));
      check(Uint8Array.of(...mutated, value));
    }), { numRuns: 30_000 });
    for (const base of valid) for (let n = 0; n <= base.length; n++) check(base.subarray(0, n));
    expect(checked).toBeGreaterThanOrEqual(150_000);
  });

  it('fuzz: 100k random commands as the module sees them never throw', () => {
    let accepted = 0;
    // Biased towards plausible heads and windows so that some inputs are valid commands.
    const input = fc.tuple(fc.constantFrom(0xc0, 0xc1, 0xc2, 0xc3, 0xff), fc.nat(9), fc.nat(10), fc.uint8Array({ maxLength: 11 }), fc.boolean())
      .map(([head, address, length, rest, raw]) => (raw ? rest : Uint8Array.of(head, address, length, ...rest)));
    fc.assert(fc.property(input, (bytes) => {
      const r = decodeCommand(bytes);
      if (r.ok) {
        accepted++;
        if (toHex(encodeCommand(r.value)) !== toHex(bytes)) throw new Error(`not canonical: ${toHex(bytes)}`);
      } else if (r.offset < 0 || r.offset > bytes.length) {
        throw new Error(`offset ${r.offset} outside input`);
      }
    }), { numRuns: 100_000 });
    expect(accepted).toBeGreaterThan(0);
  });
});
