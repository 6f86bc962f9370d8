/**
 * The last hop's deposit: the deposit request from the onion's final
 * payload goes through this relay's own core, sealed to its own key like
 * any client's request, so the pass or stamp checks, the quotas and the
 * group commit are exactly those of a direct deposit (no second path into
 * the store). Costs one X25519 and one AEAD more than a direct deposit.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { ServerKeyPair } from '../../../protocol/keys/keys.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { describeError } from '../../../protocol/codec/result.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { decodeResponse } from '../../../protocol/server/response.ts';
import { openResponse, sealRequest } from '../../../protocol/server/seal.ts';
import type { DoorCore } from '../../../seams/door.ts';

/** Source name the core's per-source limit sees for deposits made by onions. */
export const ONION_DEPOSIT_SOURCE = 'onion';
const MAX_DEPOSIT_ANSWER_BYTES = 4096;

/** Runs one deposit request through `core`; throws RelayError when the core refuses it. */
export async function depositThroughCore(
  suite: CryptoSuite, random: RandomSource, key: ServerKeyPair, core: DoorCore, depositRequest: Uint8Array,
): Promise<void> {
  const sealed = sealRequest(suite, random, key.publicKey, depositRequest);
  const answer = await core.handle(sealed.frame, { source: ONION_DEPOSIT_SOURCE, maxResponseBytes: MAX_DEPOSIT_ANSWER_BYTES });
  const opened = openResponse(suite, sealed, answer);
  if (!opened.ok) throw new RelayError('internal', `own answer unreadable: ${describeError(opened)}`);
  if (opened.value.type === 'refusal') throw new RelayError(opened.value.code, opened.value.message);
  const response = decodeResponse('deposit', opened.value.plaintext);
  if (!response.ok) throw new RelayError('internal', `own answer undecodable: ${describeError(response)}`);
  if (!response.value.ok) throw new RelayError(response.value.code, response.value.message);
}
