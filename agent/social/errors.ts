/**
 * Errors of the social features (groups, broadcasts, directory,
 * introductions): stable codes the local API and the CLI turn into clear
 * sentences. Hostile bytes from peers are not errors (they are refused and
 * counted); these are for the user's own requests.
 */
import { AgentError } from '../errors.ts';

export type SocialErrorCode =
  | 'bad-argument' | 'unknown-group' | 'unknown-member' | 'not-admin' | 'group-full'
  | 'unknown-contact' | 'unknown-intro' | 'intro-state' | 'unknown-entry' | 'not-published'
  | 'no-relay' | 'bad-state';

export class SocialError extends AgentError<SocialErrorCode> {
  override readonly name = 'SocialError';
}
