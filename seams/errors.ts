/** Base of the errors a seam's contract names (a closed link, a relay that refused). */
import { MeowError } from '../protocol/errors.ts';

export class SeamError<Code extends string = string> extends MeowError<Code> {}
