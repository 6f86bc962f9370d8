/**
 * Fast deterministic input generation for the fuzz tests (xoshiro128**,
 * not cryptographic: it only has to be quick and reproducible), and the
 * mutation operators applied to valid inputs.
 */
export class FuzzRandom {
  // xoshiro128** state (Blackman and Vigna), 32-bit integer arithmetic only: fast in JS.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = seed ^ 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed * 0x85ebca6b;
    for (let i = 0; i < 16; i++) this.next32();
  }

  next32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  int(n: number): number {
    return this.next32() % n;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next32();
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One to three random edits: flip, overwrite, insert, delete, truncate, duplicate a slice. */
export function mutate(r: FuzzRandom, input: Uint8Array): Uint8Array {
  let b = input.slice();
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) {
    const at = b.length === 0 ? 0 : r.int(b.length);
    switch (r.int(6)) {
      case 0: if (b.length) b[at]! ^= 1 << r.int(8); break;
      case 1: if (b.length) b[at] = r.int(256); break;
      case 2: b = Uint8Array.from([...b.subarray(0, at), r.int(256), ...b.subarray(at)]); break;
      case 3: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1)]); break;
      case 4: b = b.slice(0, at); break;
      default: {
        const len = 1 + r.int(16);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)]);
      }
    }
  }
  return b;
}

/** The same edits on text, over an alphabet that reaches the armour parser's corners. */
const TEXT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-\n\r \t:$%*.';
export function mutateText(r: FuzzRandom, input: string): string {
  let t = input;
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) {
    const at = t.length === 0 ? 0 : r.int(t.length);
    const ch = TEXT_ALPHABET[r.int(TEXT_ALPHABET.length)]!;
    switch (r.int(5)) {
      case 0: t = t.slice(0, at) + ch + t.slice(at + 1); break;
      case 1: t = t.slice(0, at) + ch + t.slice(at); break;
      case 2: t = t.slice(0, at) + t.slice(at + 1); break;
      case 3: t = t.slice(0, at); break;
      default: t = t.slice(0, at) + t.slice(at, at + 1 + r.int(40)) + t.slice(at);
    }
  }
  return t;
}

export function randomText(r: FuzzRandom, maxLength: number): string {
  const n = r.int(maxLength + 1);
  let t = '';
  for (let i = 0; i < n; i++) t += TEXT_ALPHABET[r.int(TEXT_ALPHABET.length)]!;
  return t;
}
