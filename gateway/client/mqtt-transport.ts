/** MQTT transport: publish on our req topic, answers on our res topic, matched by reply id. */
import mqtt, { type MqttClient } from 'mqtt';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { MAX_REQUEST_FRAME_BYTES, REPLY_ID_BYTES, SERVER_ID_BYTES } from '../../protocol/server/constants.ts';
import { mqttTopics } from '../../protocol/server/doors.ts';
import { RelayTransportError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type RelayTransport, type TransportOptions } from './transport.ts';

/**
 * @param url mqtt://[user:pass@]broker:port/<server id hex>: the relay's id
 *   names its topics (several relays may share one broker), so it is part
 *   of the relay's MQTT URL.
 */
export async function mqttTransport(url: string, random: RandomSource, options: TransportOptions = {}): Promise<RelayTransport> {
  const parsed = new URL(url);
  const serverId = fromHex(parsed.pathname.slice(1));
  if (!serverId || serverId.length !== SERVER_ID_BYTES) throw new RelayTransportError('mqtt relay URL needs the server id as its path');
  const clientId = toHex(random.bytes(12));
  const topics = mqttTopics(serverId, clientId);
  const brokerUrl = `${parsed.protocol}//${parsed.username ? `${parsed.username}:${parsed.password}@` : ''}${parsed.host}`;
  const client: MqttClient = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4, clean: true, clientId: `meow-${clientId}`, reconnectPeriod: 1000 });
  await client.subscribeAsync(topics.response, { qos: 1 });
  const pending = new Map<string, (frame: Uint8Array) => void>();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  client.on('message', (_topic, payload) => {
    if (payload.length < 1 + REPLY_ID_BYTES) return;
    const done = pending.get(toHex(payload.subarray(1, 1 + REPLY_ID_BYTES)));
    if (done) done(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength).slice());
  });
  return {
    url: `mqtt://${parsed.host}/${toHex(serverId)}`,
    maxRequestBytes: MAX_REQUEST_FRAME_BYTES,
    exchange(frame, replyId) {
      const id = toHex(replyId);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new RelayTransportError(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, (f) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(f);
        });
        client.publish(topics.request, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), { qos: 1 }, (err) => {
          if (err) {
            clearTimeout(timer);
            pending.delete(id);
            reject(new RelayTransportError(err.message));
          }
        });
      });
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
