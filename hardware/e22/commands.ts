/**
 * E22 configuration commands and replies (E22-900T22S manual, section 7.1
 * "Command format"; only in configuration mode, M1 M0 = 10, UART 9600 8N1):
 *
 *   write and save   C0 <addr> <len> <data x len>   reply C1 <addr> <len> <data>
 *   read             C1 <addr> <len>                reply C1 <addr> <len> <data>
 *   write temporary  C2 <addr> <len> <data x len>   reply C1 <addr> <len> <data>
 *   refused          (wrong format)                 reply FF FF FF
 *
 * In normal mode with REG1 bit 5 set (section 7.4 "RSSI"):
 *   read signal      C0 C1 C2 C3 <addr> <len>       reply C1 <addr> <len> <data>
 *   where addr 00 = current ambient noise, 01 = RSSI of the last packet,
 *   each byte dBm = -(256 - byte).
 *
 * Windows: 00H-08H (configuration) and 80H-86H (product information, read
 * only). A request or reply whose address and length leave its window is
 * refused, so the decoders cap every length.
 */
import { ByteReader } from '../../protocol/codec/reader.ts';
import { fail, ok, type DecodeResult } from '../../protocol/codec/result.ts';
import { E22Error } from './errors.ts';
import { configWindowBytes, productInfoBytes, registerAddress } from './registers.ts';

export const commandHead = { write: 0xc0, read: 0xc1, writeTemporary: 0xc2 } as const;
export const replyHead = 0xc1;
export const refusedByte = 0xff;
/** Normal-mode signal read prefix (section 7.4). */
export const signalReadPrefix = Uint8Array.of(0xc0, 0xc1, 0xc2, 0xc3);
/** Signal registers: 00 ambient noise, 01 RSSI of the last received packet. */
export const signalRegisters = { noise: 0x00, lastPacket: 0x01 } as const;

/** True when [address, address + length) lies inside one register window. */
export function inRegisterWindow(address: number, length: number, writable: boolean): boolean {
  if (!Number.isInteger(address) || !Number.isInteger(length) || length < 1) return false;
  if (address + length <= configWindowBytes) return address >= 0;
  if (writable) return false;
  const pid = registerAddress.productInfo;
  return address >= pid && address + length <= pid + productInfoBytes;
}

export type E22CommandKind = 'write' | 'read' | 'writeTemporary';

export interface E22Command {
  readonly kind: E22CommandKind;
  readonly address: number;
  readonly length: number;
  /** The bytes to write (empty for a read). */
  readonly data: Uint8Array;
}

/** Encodes a configuration command; throws E22Error('bad-config') on a window the module would refuse. */
export function encodeCommand(command: E22Command): Uint8Array {
  const writing = command.kind !== 'read';
  if (!inRegisterWindow(command.address, command.length, writing)) {
    throw new E22Error('bad-config', `${command.kind} of ${command.length} bytes at ${command.address.toString(16)}h leaves the register window`);
  }
  if (writing && command.data.length !== command.length) {
    throw new E22Error('bad-config', `${command.kind}: ${command.data.length} data bytes for length ${command.length}`);
  }
  const out = new Uint8Array(3 + (writing ? command.length : 0));
  out[0] = commandHead[command.kind];
  out[1] = command.address;
  out[2] = command.length;
  if (writing) out.set(command.data, 3);
  return out;
}

export function encodeSignalRead(address: number, length: number): Uint8Array {
  if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 1 || address + length > 2) {
    throw new E22Error('bad-config', `signal read of ${length} bytes at ${address} (registers 00-01 only)`);
  }
  return Uint8Array.of(...signalReadPrefix, address, length);
}

/**
 * Decodes one configuration command as the module sees it. 'truncated'
 * means "wait for more bytes"; any other error means the module refuses.
 */
export function decodeCommand(bytes: Uint8Array): DecodeResult<E22Command> {
  const r = new ByteReader(bytes);
  const head = r.u8('command head');
  if (r.failed) return r.error!;
  const kind: E22CommandKind | undefined = head === commandHead.write ? 'write'
    : head === commandHead.read ? 'read' : head === commandHead.writeTemporary ? 'writeTemporary' : undefined;
  if (!kind) return fail('bad-kind', 0, `unknown command head ${head.toString(16)}h`);
  const address = r.u8('address');
  const lengthAt = r.offset;
  const length = r.u8('length');
  if (r.failed) return r.error!;
  const writing = kind !== 'read';
  if (!inRegisterWindow(address, length, writing)) {
    return fail('bad-value', lengthAt, `${kind} of ${length} bytes at ${address.toString(16)}h leaves the register window`);
  }
  const data = writing ? r.copy(length, 'data') : new Uint8Array(0);
  r.end('command');
  if (r.failed) return r.error!;
  return ok({ kind, address, length, data });
}

export type E22Reply =
  | { readonly kind: 'registers'; readonly address: number; readonly data: Uint8Array }
  | { readonly kind: 'refused' };

/**
 * Decodes one whole reply. 'truncated' means "wait for more bytes"; other
 * errors mean the bytes are not a reply. Never throws, never reads past the
 * end, and caps the length at the register window.
 */
export function decodeReply(bytes: Uint8Array): DecodeResult<E22Reply> {
  const r = new ByteReader(bytes);
  const head = r.u8('reply head');
  if (r.failed) return r.error!;
  if (head === refusedByte) {
    for (let i = 1; i < 3; i++) {
      const at = r.offset;
      const b = r.u8('refusal');
      if (r.failed) return r.error!;
      if (b !== refusedByte) return fail('bad-value', at, `refusal byte ${b.toString(16)}h, expected ff`);
    }
    r.end('refusal');
    return r.failed ? r.error! : ok({ kind: 'refused' });
  }
  if (head !== replyHead) return fail('bad-kind', 0, `unknown reply head ${head.toString(16)}h`);
  const address = r.u8('address');
  const lengthAt = r.offset;
  const length = r.u8('length');
  if (r.failed) return r.error!;
  if (!inRegisterWindow(address, length, false)) {
    return fail('bad-value', lengthAt, `reply of ${length} bytes at ${address.toString(16)}h leaves the register window`);
  }
  const data = r.copy(length, 'data');
  r.end('reply');
  if (r.failed) return r.error!;
  return ok({ kind: 'registers', address, data });
}
