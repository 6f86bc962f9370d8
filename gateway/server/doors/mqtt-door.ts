/**
 * MQTT front door (docs/PROTOCOL.md section "server", "MQTT"): the relay is
 * a client of a broker (Mosquitto, or any MQTT 3.1.1 broker).
 *   requests   meow/relay/v1/<serverId hex>/req/<client id>     payload: request frame
 *   responses  meow/relay/v1/<serverId hex>/res/<client id>     payload: response frame
 * A relay's MQTT URL is mqtt://broker:port/<serverId hex>: the path names the topics.
 * The client id is random per client session (12 to 32 of [0-9a-z]); QoS 1
 * both ways. The broker's ACLs should let a client publish only on its own
 * req topic and read its own res topic; the relay rate-limits per client id.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { MAX_REQUEST_FRAME_BYTES } from '../../../protocol/server/constants.ts';
import { encodeRefusalFrame, replyIdOf } from '../../../protocol/server/frame.ts';
import type { RelayCore } from '../core/relay-core.ts';
import type { RunningDoor } from './http-door.ts';

export const MQTT_TOPIC_ROOT = 'meow/relay/v1';
export const MQTT_MAX_PAYLOAD_BYTES = 1024 * 1024;
const CLIENT_ID = /^[0-9a-z]{12,32}$/;

export function mqttTopics(serverId: Uint8Array, clientId: string): { request: string; response: string } {
  const base = `${MQTT_TOPIC_ROOT}/${toHex(serverId)}`;
  return { request: `${base}/req/${clientId}`, response: `${base}/res/${clientId}` };
}

export interface MqttDoorOptions {
  /** mqtt://host:port of the broker (user:pass@ allowed). */
  readonly brokerUrl: string;
}

export async function startMqttDoor(core: RelayCore, options: MqttDoorOptions): Promise<RunningDoor> {
  const base = `${MQTT_TOPIC_ROOT}/${toHex(core.serverId)}`;
  const client: MqttClient = await mqtt.connectAsync(options.brokerUrl, {
    protocolVersion: 4, clean: true, reconnectPeriod: 1000, clientId: `meow-relay-${toHex(core.serverId)}`,
  });
  await client.subscribeAsync(`${base}/req/+`, { qos: 1 });
  client.on('message', (topic, payload) => {
    const clientId = topic.slice(base.length + 5);
    if (!topic.startsWith(`${base}/req/`) || !CLIENT_ID.test(clientId)) return;
    const responseTopic = `${base}/res/${clientId}`;
    const reply = (frame: Uint8Array): void => {
      if (client.connected) client.publish(responseTopic, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), { qos: 1 });
    };
    const frame = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (payload.length > MAX_REQUEST_FRAME_BYTES) {
      reply(encodeRefusalFrame(replyIdOf(frame), 'too-large', `request over ${MAX_REQUEST_FRAME_BYTES} bytes`));
      return;
    }
    void core.handle(frame, { source: `mqtt:${clientId}`, maxResponseBytes: MQTT_MAX_PAYLOAD_BYTES }).then(reply);
  });
  const url = new URL(options.brokerUrl);
  return {
    url: `mqtt://${url.host}/${toHex(core.serverId)}`,
    port: Number(url.port || 1883),
    close: async () => {
      await client.endAsync();
    },
  };
}
