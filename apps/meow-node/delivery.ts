/**
 * What a node does with an envelope the router delivers to it: keep it in
 * the hosted mailboxes (1:1 and presence under their mailbox tag, group
 * messages under the group tag, emergency broadcasts under a reserved tag,
 * sensor readings under the sensor id), or hand a gateway request to the
 * gateway role. The router acknowledges end to end only when this returns
 * true, i.e. after the write returned (synchronous=FULL): nothing accepted
 * is lost (test/daemon/crash.test.ts).
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { type EnvelopeFields, decodeEnvelopeFields } from '../../protocol/envelope/clear-fields.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { decodeGatewayRequest, isGatewayRequest } from '../../protocol/gateway/request.ts';
import type { DeliverMeta } from '../../node-runtime/router/types.ts';
import type { Store } from '../../node-runtime/store/index.ts';
import type { RunningGateway } from './gateway-role.ts';
import type { Logger } from '../../seams/logger.ts';

/** Mailbox tag under which flooded emergency broadcasts are kept for local users. */
export const BROADCAST_TAG = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export interface DeliveryDeps {
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly log: Logger;
  /** The gateway role, once started (undefined on a node without relays). */
  readonly gateway: () => RunningGateway | undefined;
}

/** Returns the router's store hook: true once the envelope is durably handled (or can never be). */
export function createDelivery(deps: DeliveryDeps): (envelope: Uint8Array, meta: DeliverMeta) => boolean {
  const { store, suite, log } = deps;
  return (envelope, meta) => {
    try {
      if (isGatewayRequest(envelope)) return handOver(envelope, meta);
      const fields = decodeEnvelopeFields(envelope);
      if (!fields.ok) {
        // Acknowledged and dropped: it can never be stored, and a retry would only spend airtime.
        log.warn('undecodable envelope dropped', { code: fields.code, offset: fields.offset, messageId: messageIdForLog(meta) });
        return true;
      }
      const kind = fields.value.kind;
      const result = store.mailboxes.deposit(mailboxOf(fields.value), envelopeId(suite, envelope), envelope);
      log.debug('delivered', { kind, result, hops: meta.hops });
      return true;
    } catch (error) {
      // Quota full, disk error: no ack, so the sender keeps the message and retries.
      log.warn('could not store a delivered envelope', { error: (error as Error).message });
      return false;
    }
  };

  function handOver(envelope: Uint8Array, meta: DeliverMeta): boolean {
    const gateway = deps.gateway();
    if (!gateway) {
      log.warn('gateway request for a node that is not a gateway', { messageId: messageIdForLog(meta) });
      return true;
    }
    const request = decodeGatewayRequest(envelope);
    if (!request.ok) {
      log.warn('gateway request refused', { code: request.code, offset: request.offset });
      return true;
    }
    return gateway.handle(request.value);
  }
}

/** The hosted mailbox an envelope is kept in: bytes read from the envelope itself, never via hex. */
function mailboxOf(fields: EnvelopeFields): Uint8Array {
  switch (fields.kind) {
    case 'direct':
    case 'presence':
      return fields.mailboxTag;
    case 'group':
      return fields.groupTag;
    case 'broadcast':
      return BROADCAST_TAG;
    case 'sensor':
      return fields.sensorId;
  }
}

/** The router's message key is a u32; logs show it as 8 hex digits, as the router's own logs do. */
function messageIdForLog(meta: DeliverMeta): string {
  return meta.messageId.toString(16).padStart(8, '0');
}
