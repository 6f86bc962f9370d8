/**
 * The `--topology FILE` layout (JSON) for the simulator, in one of two forms:
 *
 * 1. Positions: nodes placed in 2D, metres; the path-loss model decides who
 *    hears whom.
 *      { "nodes": [ { "id": "a", "x": 0, "y": 0 }, { "id": "b", "x": 1500, "y": 200, "txPowerDbm": 20 } ] }
 *
 * 2. Explicit links: only listed pairs hear each other (both ways), with a
 *    fixed RSSI (default -100 dBm) and an extra per-link frame loss 0..1.
 *    Positions are optional and ignored by the radio model.
 *      { "nodes": [ { "id": "a" }, { "id": "b" }, { "id": "c" } ],
 *        "links": [ { "a": "a", "b": "b", "rssiDbm": -110, "loss": 0.2 }, { "a": "b", "b": "c" } ] }
 *
 * Ids are strings or non-negative integers (integers become strings).
 * Parsing a file the user wrote throws a TopologyError naming the bad
 * field ("nodes[3].x: must be a finite number").
 */
import { readFileSync } from 'node:fs';
import { TopologyError } from './errors.ts';

export interface TopologyNode {
  readonly id: string;
  readonly x?: number;
  readonly y?: number;
  readonly txPowerDbm?: number;
}

export interface TopologyLink {
  readonly a: string;
  readonly b: string;
  readonly rssiDbm?: number;
  readonly loss?: number;
}

export interface Topology {
  readonly nodes: readonly TopologyNode[];
  /** Present: explicit-link mode. Absent: positions and path loss. */
  readonly links?: readonly TopologyLink[];
}

/** Caps that keep a mistyped file from allocating gigabytes. */
export const maxTopologyNodes = 100_000;
export const maxTopologyLinks = 1_000_000;

export function parseTopology(json: unknown): Topology {
  const root = asRecord(json, '$');
  const rawNodes = root.nodes;
  if (!Array.isArray(rawNodes) || rawNodes.length === 0) throw new TopologyError('must be a non-empty array', 'nodes');
  if (rawNodes.length > maxTopologyNodes) throw new TopologyError(`at most ${maxTopologyNodes} nodes`, 'nodes');
  const hasLinks = root.links !== undefined;
  const ids = new Set<string>();
  const nodes = rawNodes.map((raw, i): TopologyNode => {
    const path = `nodes[${i}]`;
    const rec = asRecord(raw, path);
    const id = asId(rec.id, `${path}.id`);
    if (ids.has(id)) throw new TopologyError(`duplicate node id "${id}"`, `${path}.id`);
    ids.add(id);
    const needsPosition = !hasLinks;
    const x = optionalNumber(rec.x, `${path}.x`, needsPosition);
    const y = optionalNumber(rec.y, `${path}.y`, needsPosition);
    const txPowerDbm = optionalNumber(rec.txPowerDbm, `${path}.txPowerDbm`, false);
    return { id, ...(x !== undefined && { x }), ...(y !== undefined && { y }), ...(txPowerDbm !== undefined && { txPowerDbm }) };
  });
  if (!hasLinks) return { nodes };
  const rawLinks = root.links;
  if (!Array.isArray(rawLinks)) throw new TopologyError('must be an array', 'links');
  if (rawLinks.length > maxTopologyLinks) throw new TopologyError(`at most ${maxTopologyLinks} links`, 'links');
  const seen = new Set<string>();
  const links = rawLinks.map((raw, i): TopologyLink => {
    const path = `links[${i}]`;
    const rec = asRecord(raw, path);
    const a = asId(rec.a, `${path}.a`);
    const b = asId(rec.b, `${path}.b`);
    if (!ids.has(a)) throw new TopologyError(`unknown node "${a}"`, `${path}.a`);
    if (!ids.has(b)) throw new TopologyError(`unknown node "${b}"`, `${path}.b`);
    if (a === b) throw new TopologyError('a link joins two different nodes', path);
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (seen.has(key)) throw new TopologyError(`duplicate link ${a}-${b}`, path);
    seen.add(key);
    const rssiDbm = optionalNumber(rec.rssiDbm, `${path}.rssiDbm`, false);
    const loss = optionalNumber(rec.loss, `${path}.loss`, false);
    if (loss !== undefined && (loss < 0 || loss > 1)) throw new TopologyError('must be between 0 and 1', `${path}.loss`);
    return { a, b, ...(rssiDbm !== undefined && { rssiDbm }), ...(loss !== undefined && { loss }) };
  });
  return { nodes, links };
}

/** Reads and parses a topology JSON file. */
export function readTopologyFile(path: string): Topology {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TopologyError(`cannot read JSON: ${(e as Error).message}`, path);
  }
  return parseTopology(json);
}

function asRecord(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TopologyError('must be an object', path);
  return v as Record<string, unknown>;
}

function asId(v: unknown, path: string): string {
  if (typeof v === 'string' && v.length > 0 && v.length <= 64) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new TopologyError('must be a non-empty string (at most 64 characters) or a non-negative integer', path);
}

function optionalNumber(v: unknown, path: string, required: boolean): number | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TopologyError('must be a finite number', path);
  return v;
}
