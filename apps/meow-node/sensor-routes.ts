/**
 * GET /v1/sensors[?sensor=SOURCE/NAME|SOURCE][&limit=N]: a collector's
 * latest reading per sensor and a history (seams/sensor-readings.ts,
 * docs/API.md "Field sensors"). Read from SQLite, so it answers the same
 * after a restart. A node without a `collector` block answers not-found
 * with what to configure.
 */
import { SensorQuantity } from '../../protocol/envelope/sensor.ts';
import type { SensorReadingsResponse, SensorReadingView } from '../../seams/sensor-readings.ts';
import type { StoredReading } from '../../node-runtime/sensors/sensor-collector.ts';
import { LocalApiError } from './local-api/errors.ts';
import type { Route } from './local-api/router.ts';
import type { CollectorView } from './sensor-role.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/** Name, unit and scale of the quantities of protocol/envelope/sensor.ts (0x80+ are raw integers). */
const QUANTITIES: Readonly<Record<number, { name: string; unit: string; scale: number }>> = {
  [SensorQuantity.temperatureCentiCelsius]: { name: 'temperature', unit: 'degC', scale: 100 },
  [SensorQuantity.relativeHumidityCentiPercent]: { name: 'humidity', unit: '%RH', scale: 100 },
  [SensorQuantity.pressurePascal]: { name: 'pressure', unit: 'Pa', scale: 1 },
  [SensorQuantity.batteryMillivolt]: { name: 'battery', unit: 'mV', scale: 1 },
  [SensorQuantity.illuminanceLux]: { name: 'illuminance', unit: 'lx', scale: 1 },
  [SensorQuantity.waterLevelMillimetre]: { name: 'water-level', unit: 'mm', scale: 1 },
  [SensorQuantity.windSpeedCentimetrePerSecond]: { name: 'wind-speed', unit: 'cm/s', scale: 1 },
  [SensorQuantity.rainTenthMillimetre]: { name: 'rain', unit: 'mm', scale: 10 },
};

function viewOf(collector: CollectorView, r: StoredReading): SensorReadingView {
  const source = collector.source(r.sensor);
  const q = QUANTITIES[r.quantity];
  return {
    source: source?.name ?? r.sensor,
    sensor: source?.labels[r.quantity] ?? q?.name ?? `quantity-${r.quantity}`,
    quantity: r.quantity,
    value: q ? r.value / q.scale : r.value,
    unit: q?.unit ?? '',
    raw: r.value,
    counter: r.counter,
    index: r.index,
    receivedAt: r.receivedAtMs,
  };
}

function limitOf(text: string | null): number {
  if (text === null) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIMIT) throw new LocalApiError('bad-request', `limit must be 1..${MAX_LIMIT}`, { field: 'limit' });
  return n;
}

export function sensorRoutes(collector: CollectorView | undefined): Route[] {
  return [{
    method: 'GET',
    path: /^\/v1\/sensors$/,
    run: ({ query }): SensorReadingsResponse => {
      if (!collector) throw new LocalApiError('not-found', 'this node collects no sensor readings: give it a "collector" block (docs/HARDWARE.md "Field sensors")');
      const limit = limitOf(query.get('limit'));
      const wanted = query.get('sensor');
      const matches = (v: SensorReadingView): boolean => wanted === null || v.source === wanted || `${v.source}/${v.sensor}` === wanted;
      const latest = collector.readings.latest().map((r) => viewOf(collector, r))
        .sort((a, b) => a.source.localeCompare(b.source) || a.sensor.localeCompare(b.sensor));
      if (wanted !== null && !latest.some(matches)) {
        throw new LocalApiError('not-found', `no readings from "${wanted}" (SOURCE or SOURCE/SENSOR, as \`meow sensors\` lists them)`, { field: 'sensor' });
      }
      // One source's rows (bounded per sensor by the store), then its one sensor if named.
      const id = wanted === null ? undefined : collector.sensorIdOf(wanted.split('/')[0]!);
      const rows = wanted === null ? collector.readings.history({ limit }) : collector.readings.history(id === undefined ? { limit: 0 } : { sensor: id });
      const history = rows.map((r) => viewOf(collector, r)).filter(matches).slice(-limit);
      return { latest: latest.filter(matches), history };
    },
  }];
}
