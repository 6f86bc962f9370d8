import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { armor, dearmor, looksArmored } from '../../protocol/card/armor.ts';
import { readCardVectors } from './helpers.ts';

const card = readCardVectors().get('invite')!.bytes;
const text = armor('MEOW CARD', card);
const lines = text.trimEnd().split('\n');

describe('armour', () => {
  it('has the documented shape: BEGIN, 64-column base64, =checksum, END', () => {
    expect(lines[0]).toBe('-----BEGIN MEOW CARD-----');
    expect(lines.at(-1)).toBe('-----END MEOW CARD-----');
    expect(lines.slice(1, -3).every((l) => l.length === 64)).toBe(true);
    expect(lines.at(-2)).toMatch(/^=[A-Za-z0-9+/]{4}$/);
    expect(Buffer.from(lines.slice(1, -2).join(''), 'base64')).toEqual(Buffer.from(card));
    // The checksum is the first 3 bytes of SHA-256 over the binary, checked with node:crypto.
    const sum = createHash('sha256').update(card).digest().subarray(0, 3).toString('base64');
    expect(lines.at(-2)).toBe(`=${sum}`);
    expect(looksArmored(text)).toBe(true);
  });

  it('round trips and names its label', () => {
    expect(dearmor(text, 'MEOW CARD')).toEqual({ ok: true, value: { label: 'MEOW CARD', bytes: card } });
  });

  it('tolerates CRLF, indentation, blank lines, spaces and any wrapping', () => {
    const body = lines.slice(1, -2).join('');
    const rewrapped = body.match(/.{1,30}/g)!.map((l) => `  ${l.slice(0, 10)} ${l.slice(10)}  `).join('\r\n\r\n');
    const messy = `\n\n   ${lines[0]}   \r\n${rewrapped}\r\n\t${lines.at(-2)}\r\n${lines.at(-1)}\n\n\n`;
    expect(dearmor(messy)).toEqual({ ok: true, value: { label: 'MEOW CARD', bytes: card } });
  });

  it('is strict on content', () => {
    const replaceLine = (i: number, by: string): string => lines.map((l, j) => (j === (i + lines.length) % lines.length ? by : l)).join('\n');
    const cases: [string, string, string][] = [
      ['empty', '', 'truncated'],
      ['text before BEGIN', `hello\n${text}`, 'bad-encoding'],
      ['text after END', `${text}signature: me\n`, 'trailing-bytes'],
      ['other label', text, 'bad-kind'],
      ['END label mismatch', replaceLine(-1, '-----END MEOW ENVELOPE-----'), 'bad-encoding'],
      ['lowercase label', replaceLine(0, '-----BEGIN meow card-----'), 'bad-encoding'],
      ['no checksum line', lines.filter((_, i) => i !== lines.length - 2).join('\n'), 'bad-encoding'],
      ['no END', lines.slice(0, -1).join('\n'), 'truncated'],
      ['wrong checksum', replaceLine(-2, '=AAAA'), 'bad-checksum'],
      ['body char damaged', replaceLine(1, `${lines[1]!.slice(0, 5)}${lines[1]![5] === 'A' ? 'B' : 'A'}${lines[1]!.slice(6)}`), 'bad-checksum'],
      ['invalid base64 char', replaceLine(1, `${lines[1]!.slice(0, 5)}!${lines[1]!.slice(6)}`), 'bad-encoding'],
      ['missing base64 char', replaceLine(1, lines[1]!.slice(1)), 'bad-encoding'],
      ['oversize', `${text}${' '.repeat(20_000)}`, 'too-long'],
    ];
    for (const [name, input, code] of cases) {
      const r = name === 'other label' ? dearmor(input, 'MEOW ENVELOPE') : dearmor(input);
      expect(r.ok ? 'accepted' : r.code, name).toBe(code);
    }
  });

  it('refuses non-canonical base64 (non-zero pad bits)', () => {
    const one = armor('MEOW CARD', new Uint8Array([1]));
    // "AQ==" is canonical for 0x01; "AR==" decodes to the same byte with a stray pad bit.
    expect(one).toContain('\nAQ==\n');
    expect(dearmor(one.replace('\nAQ==\n', '\nAR==\n'))).toMatchObject({ ok: false, code: 'bad-encoding' });
  });

  it('rejects a bad label when armouring (programmer misuse)', () => {
    expect(() => armor('meow', card)).toThrow(TypeError);
  });
});
