/** Relay client library: one RelayClient, a transport per door. */
export * from './transport.ts';
export * from './relay-client.ts';
export * from './connect.ts';
export * from './errors.ts';
export { TRANSPORT_TABLE, type OpenTransport } from './transport-table.ts';
export { httpTransport } from './http-transport.ts';
export { udpTransport } from './udp-transport.ts';
export { mqttTransport } from './mqtt-transport.ts';
export { relayPort, type RelayPortOptions } from './relay-port.ts';
