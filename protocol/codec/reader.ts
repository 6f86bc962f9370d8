/**
 * Bounds-checked reader for decoders. Every read either returns a value or
 * records the first failure; once failed, the reader stays failed and further
 * reads return zero values, so a decoder can read a whole structure and check
 * `reader.error` once at the end (or early where a value steers parsing).
 */
import { type DecodeError, type DecodeErrorCode, fail } from './result.ts';

const EMPTY = new Uint8Array(0);

export class ByteReader {
  private pos = 0;
  private failure: DecodeError | undefined;

  constructor(private readonly input: Uint8Array, private readonly base = 0) {}

  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.input.length - this.pos;
  }

  get error(): DecodeError | undefined {
    return this.failure;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Records a failure at the current offset (the first one wins). */
  reject(code: DecodeErrorCode, message: string): DecodeError {
    if (!this.failure) this.failure = fail(code, this.offset, message);
    return this.failure;
  }

  private need(n: number, what: string): boolean {
    if (this.failure) return false;
    if (this.input.length - this.pos < n) {
      this.reject('truncated', `${what}: need ${n} bytes, ${this.input.length - this.pos} left`);
      return false;
    }
    return true;
  }

  u8(what = 'u8'): number {
    if (!this.need(1, what)) return 0;
    return this.input[this.pos++] as number;
  }

  u16(what = 'u16'): number {
    if (!this.need(2, what)) return 0;
    const v = ((this.input[this.pos] as number) << 8) | (this.input[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }

  u24(what = 'u24'): number {
    if (!this.need(3, what)) return 0;
    const i = this.input;
    const p = this.pos;
    this.pos += 3;
    return ((i[p] as number) << 16) | ((i[p + 1] as number) << 8) | (i[p + 2] as number);
  }

  u32(what = 'u32'): number {
    if (!this.need(4, what)) return 0;
    const i = this.input;
    const p = this.pos;
    this.pos += 4;
    return (((i[p] as number) << 24) >>> 0) + (((i[p + 1] as number) << 16) | ((i[p + 2] as number) << 8) | (i[p + 3] as number));
  }

  /** Varint of at most `maxBytes` bytes (default 8) whose value must not exceed `max`. */
  varint(what = 'varint', max = Number.MAX_SAFE_INTEGER, maxBytes = 8): number {
    let value = 0;
    let scale = 1;
    const start = this.offset;
    for (let i = 0; i < maxBytes; i++) {
      if (!this.need(1, what)) return 0;
      const b = this.input[this.pos++] as number;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        // Refuse non-minimal encodings so that each value has one byte form
        // (a signature over an encoding then covers exactly one value).
        if (i > 0 && b === 0) {
          this.failure = fail('bad-value', start, `${what}: non-minimal varint`);
          return 0;
        }
        if (value > max) {
          this.failure = fail('too-long', start, `${what}: ${value} exceeds cap ${max}`);
          return 0;
        }
        return value;
      }
      scale *= 0x80;
    }
    this.failure = fail('bad-value', start, `${what}: varint longer than ${maxBytes} bytes`);
    return 0;
  }

  /** Exactly n bytes, as a view into the input (copy if you keep it past the input's life). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    if (!this.need(n, what)) return EMPTY;
    const out = this.input.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A copy of exactly n bytes. */
  copy(n: number, what = 'bytes'): Uint8Array {
    return this.bytes(n, what).slice();
  }

  /** Varint length (capped at maxLength) then that many bytes, copied. */
  lengthPrefixed(maxLength: number, what = 'field'): Uint8Array {
    const n = this.varint(`${what} length`, maxLength);
    if (this.failure) return EMPTY;
    return this.copy(n, what);
  }

  /** Everything left, copied. */
  rest(): Uint8Array {
    if (this.failure) return EMPTY;
    const out = this.input.slice(this.pos);
    this.pos = this.input.length;
    return out;
  }

  /** Fails with 'trailing-bytes' unless the input is fully consumed. */
  end(what = 'value'): void {
    if (this.failure) return;
    if (this.pos !== this.input.length) {
      this.reject('trailing-bytes', `${what}: ${this.input.length - this.pos} unexpected trailing bytes`);
    }
  }
}
