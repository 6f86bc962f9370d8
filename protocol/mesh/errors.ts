/**
 * Errors of the mesh layer (STYLE.md rule 6). Thrown only for programmer
 * misuse (an encoder given an out-of-range field); hostile bytes give a
 * DecodeResult instead, never an exception.
 */
import { ProtocolError } from '../errors.ts';
export type MeshErrorCode =
  | 'bad-field'        // a header field outside its domain (hop limit > 31, unknown kind)
  | 'frame-too-large'  // the encoded frame would exceed the link MTU
  | 'envelope-too-large' // an envelope over the fragmentation cap
  | 'bad-key';         // a mesh key or node key of the wrong length

export class MeshError extends ProtocolError<MeshErrorCode> {
  override readonly name = 'MeshError';
}
