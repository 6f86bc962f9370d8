/** Errors of the E22 driver and link (STYLE.md rule 6): stable `name` and `code`. */
import { HardwareError } from '../errors.ts';
export type E22ErrorCode =
  | 'command-refused'      // the module answered FF FF FF (datasheet 7.1: wrong format)
  | 'command-timeout'      // no complete reply within the timeout
  | 'bad-reply'            // a reply that does not match the command
  | 'wrong-mode'           // an operation that needs another mode (config commands outside mode 10)
  | 'mode-pins-unavailable'// no GPIO for M0/M1: only normal mode (config.txt gpio=22,27=op,dl)
  | 'aux-timeout'          // AUX stayed low after a mode change
  | 'unsupported-setting'  // a setting the host side cannot follow (parity other than 8N1)
  | 'bad-config'           // a config value outside its domain (programmer misuse)
  | 'closed';              // the driver was used after close()

export class E22Error extends HardwareError<E22ErrorCode> {
  override readonly name = 'E22Error';
}
