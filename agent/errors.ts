/**
 * Base of the user agent's errors (wrong password, unknown contact, a card
 * that is not an invitation): what the CLI and the browser turn into a
 * clear sentence. The agent is portable: no node: imports here.
 */
import { MeowError } from '../protocol/errors.ts';

export class AgentError<Code extends string = string> extends MeowError<Code> {}

/** The refusals of the agent core; the local API maps each to its ApiErrorCode (same names where they exist). */
export type AgentCoreCode =
  | 'bad-card' | 'own-invitation' | 'card-mismatch' | 'unknown-contact' | 'unknown-message'
  | 'policy-unsupported' | 'message-too-large' | 'not-active' | 'bad-document' | 'bad-request' | 'no-identity';

export class AgentCoreError extends AgentError<AgentCoreCode> {
  override readonly name = 'AgentCoreError';
}
