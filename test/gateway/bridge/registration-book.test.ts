import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationBook } from '../../../gateway/bridge/registration-book.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function path(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meow-book-'));
  dirs.push(dir);
  return join(dir, 'gateway-registrations.bin');
}

describe('registration book', () => {
  it('writes length-prefixed records with mode 0600 and reads them back', () => {
    const p = path();
    const book = new RegistrationBook(p);
    expect(book.load()).toEqual([]);
    book.put('a', new Uint8Array([1, 2, 3]));
    book.put('b', new Uint8Array([9]));
    book.put('a', new Uint8Array([4, 5])); // replaces a, in place
    expect([...readFileSync(p)]).toEqual([0, 0, 2, 0, 2, 4, 5, 0, 0, 1, 9, 0]);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(new RegistrationBook(p).load()).toEqual([{ sealed: new Uint8Array([4, 5]) }, { sealed: new Uint8Array([9]) }]);
    book.delete('b');
    expect(new RegistrationBook(p).load()).toEqual([{ sealed: new Uint8Array([4, 5]) }]);
  });

  it('keeps the sender node key with a record', () => {
    const p = path();
    const book = new RegistrationBook(p);
    book.put('a', new Uint8Array([1, 2]), new Uint8Array([7, 8, 9]));
    book.put('b', new Uint8Array([3]));
    expect([...readFileSync(p)]).toEqual([0, 0, 2, 0, 2, 1, 2, 3, 7, 8, 9, 0, 1, 3, 0]);
    expect(new RegistrationBook(p).load()).toEqual([
      { sealed: new Uint8Array([1, 2]), senderPublicKey: new Uint8Array([7, 8, 9]) }, { sealed: new Uint8Array([3]) },
    ]);
    expect(() => book.put('c', new Uint8Array([1]), new Uint8Array(256))).toThrow(RangeError);
    expect(new RegistrationBook(p).load()).toHaveLength(2);
  });

  it('reads a version 1 file (no header, no keys) and rewrites it as version 2', () => {
    const p = path();
    writeFileSync(p, new Uint8Array([0, 2, 4, 5, 0, 1, 9]));
    const book = new RegistrationBook(p);
    const entries = book.load();
    expect(entries).toEqual([{ sealed: new Uint8Array([4, 5]) }, { sealed: new Uint8Array([9]) }]);
    entries.forEach((e, i) => book.put(String(i), e.sealed));
    expect([...readFileSync(p)]).toEqual([0, 0, 2, 0, 2, 4, 5, 0, 0, 1, 9, 0]);
  });

  it('ignores a damaged tail instead of failing', () => {
    const p = path();
    writeFileSync(p, new Uint8Array([0, 2, 7, 7, 0, 9, 1]));
    expect(new RegistrationBook(p).load()).toEqual([{ sealed: new Uint8Array([7, 7]) }]);
    writeFileSync(p, new Uint8Array([0, 0, 2, 0, 1, 7, 0, 0, 1, 8, 5, 1]));
    expect(new RegistrationBook(p).load()).toEqual([{ sealed: new Uint8Array([7]) }]);
  });
});
