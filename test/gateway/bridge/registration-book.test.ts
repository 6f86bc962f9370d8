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
    expect([...readFileSync(p)]).toEqual([0, 2, 4, 5, 0, 1, 9]);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(new RegistrationBook(p).load()).toEqual([new Uint8Array([4, 5]), new Uint8Array([9])]);
    book.delete('b');
    expect(new RegistrationBook(p).load()).toEqual([new Uint8Array([4, 5])]);
  });

  it('ignores a damaged tail instead of failing', () => {
    const p = path();
    writeFileSync(p, new Uint8Array([0, 2, 7, 7, 0, 9, 1]));
    expect(new RegistrationBook(p).load()).toEqual([new Uint8Array([7, 7])]);
  });
});
