/** Base of the programs' errors: what a person running meow, meow-node or meow-relay is told. */
import { MeowError } from '../protocol/errors.ts';

export class AppError<Code extends string = string> extends MeowError<Code> {}
