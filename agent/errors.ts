/**
 * Base of the user agent's errors (wrong password, unknown contact, a card
 * that is not an invitation): what the CLI and the browser turn into a
 * clear sentence. The agent is portable: no node: imports here.
 */
import { MeowError } from '../protocol/errors.ts';

export class AgentError<Code extends string = string> extends MeowError<Code> {}
