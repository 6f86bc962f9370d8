/** Base of the board runtime's errors (links, scheduler, router, store, keystore). */
import { MeowError } from '../protocol/errors.ts';

export class NodeRuntimeError<Code extends string = string> extends MeowError<Code> {}
