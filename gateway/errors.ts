/** Base of the relay server's, relay client's and bridge's own errors (wire refusals are protocol's RelayError). */
import { MeowError } from '../protocol/errors.ts';

export class GatewayError<Code extends string = string> extends MeowError<Code> {}
