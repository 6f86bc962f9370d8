/**
 * The relay's doors, one row per URL scheme (protocol/server/doors.ts
 * RELAY_URL_SCHEMES): which startRelay option opens it, and how. A new door
 * is its door file (the seams/door.ts contract), a row here, and a row in
 * the client's transport table (gateway/client/transport-table.ts); the
 * scheme list in protocol makes the compiler ask for both rows.
 */
import { RELAY_URL_SCHEMES, type RelayUrlScheme } from '../../../protocol/server/doors.ts';
import type { DoorCore, RunningDoor } from '../../../seams/door.ts';
import { RelayConfigError } from '../errors.ts';
import { type HttpDoorOptions, startHttpDoor } from './http-door.ts';
import { type MqttDoorOptions, startMqttDoor } from './mqtt-door.ts';
import { startUdpDoor, type UdpDoorOptions } from './udp-door.ts';
import { type SerialDoorOptions, startSerialDoor } from './serial-door.ts';

/** The doors a relay opens, as startRelay (gateway/server/relay.ts) takes them. */
export interface DoorOptions {
  /** The plain HTTP door: on by default (127.0.0.1, a free port); false turns it off. */
  readonly http?: HttpDoorOptions | false;
  /** An https door: needs tls. */
  readonly https?: HttpDoorOptions;
  readonly udp?: UdpDoorOptions;
  readonly mqtt?: MqttDoorOptions;
  /** A door on a serial line (its device path). */
  readonly serial?: SerialDoorOptions;
}

/** Opens the door of one scheme when the options ask for it; undefined when they do not. */
export type DoorRow = (core: DoorCore, options: DoorOptions) => Promise<RunningDoor> | undefined;

export const DOOR_TABLE: Readonly<Record<RelayUrlScheme, DoorRow>> = {
  'http:': (core, o) => (o.http === false ? undefined : startHttpDoor(core, o.http ?? {})),
  'https:': (core, o) => {
    if (!o.https) return undefined;
    if (!o.https.tls) throw new RelayConfigError('the https door needs a TLS key and certificate');
    return startHttpDoor(core, o.https);
  },
  'udp:': (core, o) => (o.udp ? startUdpDoor(core, o.udp) : undefined),
  'mqtt:': (core, o) => (o.mqtt ? startMqttDoor(core, o.mqtt) : undefined),
  'serial:': (core, o) => (o.serial ? startSerialDoor(core, o.serial) : undefined),
};

/**
 * Opens every door the options ask for, in RELAY_URL_SCHEMES order (so the
 * relay's URLs list http first, as clients and tests expect); if one fails,
 * the ones already open are closed before the error is thrown.
 */
export async function openDoors(core: DoorCore, options: DoorOptions): Promise<RunningDoor[]> {
  const doors: RunningDoor[] = [];
  try {
    for (const scheme of RELAY_URL_SCHEMES) {
      const opening = DOOR_TABLE[scheme](core, options);
      if (opening) doors.push(await opening);
    }
  } catch (e) {
    await Promise.all(doors.map((d) => d.close()));
    throw e;
  }
  return doors;
}
