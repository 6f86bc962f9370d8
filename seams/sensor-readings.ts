/**
 * GET /v1/sensors of the local API (docs/API.md "Field sensors"): what a
 * collector node stored from its sensor relays, the contract between the
 * daemon (apps/meow-node/sensor-routes.ts) and `meow sensors`.
 *
 * `value` is in `unit` (a temperature's centi-degrees as degrees Celsius);
 * `raw` is the integer the envelope carried. Times are milliseconds since
 * the Unix epoch, stamped by the collector at receipt (readings carry no
 * time of their own; `counter` and `index` order them).
 */
export interface SensorReadingView {
  /** The collector's name for the sensor relay (config collector.sources[].name). */
  readonly source: string;
  /** The reading's name: the source's label for its quantity, else the quantity's own name. */
  readonly sensor: string;
  readonly quantity: number;
  readonly value: number;
  readonly unit: string;
  readonly raw: number;
  readonly counter: number;
  readonly index: number;
  readonly receivedAt: number;
}

export interface SensorReadingsResponse {
  /** The newest reading of each sensor, by source then sensor. */
  readonly latest: readonly SensorReadingView[];
  /** Readings oldest first (the newest `limit`, of one sensor when asked). */
  readonly history: readonly SensorReadingView[];
}
