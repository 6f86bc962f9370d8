/**
 * Summarises a V8 CPU profile of node B written by node-chain.bench.ts
 * (MEOW_BENCH_PROFILE_DIR): self time by function over one phase only (the
 * bench prints `profile-window PHASE START END` in the profiles' clock), so
 * start-up and module loading do not hide the forwarding path.
 * `tsx scripts/bench/node-chain-profile.ts FILE.cpuprofile [START_US END_US] [TOP]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  us: number;
}

/** Self time per function (name and file) of the samples taken in [fromUs, toUs); idle excluded, busy total returned. */
export function selfTimes(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity): { busyUs: number; rows: SelfTime[] } {
  const nameOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const file = n.callFrame.url.split('/').slice(-2).join('/');
    nameOf.set(n.id, `${n.callFrame.functionName || '(anonymous)'} ${file}`.trim());
  }
  const totals = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t >= toUs) continue;
    const name = nameOf.get(profile.samples[i]!) ?? '?';
    if (name.startsWith('(idle)')) continue;
    totals.set(name, (totals.get(name) ?? 0) + delta);
  }
  const rows = [...totals].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us);
  return { busyUs: rows.reduce((sum, r) => sum + r.us, 0), rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, from, to, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: node-chain-profile.ts FILE.cpuprofile [START_US END_US] [TOP]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { busyUs, rows } = selfTimes(profile, from ? Number(from) : -Infinity, to ? Number(to) : Infinity);
  console.log(`busy ${(busyUs / 1000).toFixed(0)} ms of main-thread CPU in the window`);
  for (const r of rows.slice(0, Number(top ?? 30))) {
    console.log(`${((r.us / busyUs) * 100).toFixed(1).padStart(5)} %  ${(r.us / 1000).toFixed(0).padStart(6)} ms  ${r.name}`);
  }
}
