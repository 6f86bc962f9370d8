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
import {
  MQTT_CLIENT_ID, MQTT_DEFAULT_PORT, MQTT_MAX_PAYLOAD_BYTES, mqttServerTopic, mqttTopics,
} from '../../../protocol/server/doors.ts';
import { encodeRefusalFrame, replyIdOf } from '../../../protocol/server/frame.ts';
import type { DoorCore, RunningDoor } from '../../../seams/door.ts';
import { InFlight } from './connection-cap.ts';

export interface MqttDoorOptions {
  /** mqtt://host:port of the broker (user:pass@ allowed). */
  readonly brokerUrl: string;
  /** Requests answered at once, in total and per client id; extra messages are dropped (the broker's own max_connections caps sockets). */
  readonly maxInFlight?: number;
  readonly maxInFlightPerClient?: number;
}

export async function startMqttDoor(core: DoorCore, options: MqttDoorOptions): Promise<RunningDoor> {
  const base = mqttServerTopic(core.serverId);
  const client: MqttClient = await mqtt.connectAsync(options.brokerUrl, {
    protocolVersion: 4, clean: true, reconnectPeriod: 1000, clientId: `meow-relay-${toHex(core.serverId)}`,
  });
  const inFlight = new InFlight(options.maxInFlight ?? 1024, options.maxInFlightPerClient ?? 8);
  await client.subscribeAsync(`${base}/req/+`, { qos: 1 });
  client.on('message', (topic, payload) => {
    const clientId = topic.slice(base.length + 5);
    if (!topic.startsWith(`${base}/req/`) || !MQTT_CLIENT_ID.test(clientId)) return;
    const responseTopic = mqttTopics(core.serverId, clientId).response;
    const reply = (frame: Uint8Array): void => {
      if (client.connected) client.publish(responseTopic, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), { qos: 1 });
    };
    const frame = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (payload.length > MAX_REQUEST_FRAME_BYTES) {
      reply(encodeRefusalFrame(replyIdOf(frame), 'too-large', `request over ${MAX_REQUEST_FRAME_BYTES} bytes`));
      return;
    }
    const source = `mqtt:${clientId}`;
    const release = inFlight.enter(source);
    if (!release) return;
    core.handle(frame, { source, maxResponseBytes: MQTT_MAX_PAYLOAD_BYTES }).then(reply, () => undefined).finally(release);
  });
  const url = new URL(options.brokerUrl);
  return {
    url: `mqtt://${url.host}/${toHex(core.serverId)}`,
    port: Number(url.port || MQTT_DEFAULT_PORT),
    close: async () => {
      await client.endAsync();
    },
  };
}
