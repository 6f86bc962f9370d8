/**
 * Reads an strace log (`strace -f -qq -y -xx -s N -e trace=pwrite64,write,
 * fsync,fdatasync,ftruncate`) into the events the power-cut test replays:
 * writes and truncations of the store's files, syncs, and the lines the
 * process printed on stdout. `-y` puts each fd's path in `<...>` and `-xx`
 * hex-escapes every string and path, so parsing is exact.
 *
 * A call split by another thread ("<unfinished ...>" then "<... resumed>")
 * takes effect: for a write, when it was issued (it is pending until a sync
 * anyway); for a sync, when it returned (durability starts at the return).
 */
export type TraceEvent =
  | { kind: 'write'; path: string; offset: number; data: Uint8Array }
  | { kind: 'truncate'; path: string; length: number }
  | { kind: 'sync'; path: string }
  | { kind: 'stdout'; text: string };

const lineRe = /^(\d+) +(.*)$/;
const callRe = /^(\w+)\((.*)$/;
const resumedRe = /^<\.\.\. (\w+) resumed>.*= (-?\d+)/;
const fdRe = /^(\d+)<((?:\\x[0-9a-f]{2})*)>/;
const stringRe = /"((?:\\x[0-9a-f]{2})*)"/;

function unescapeHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(4 * i + 2, 4 * i + 4), 16);
  return out;
}

const decodePath = (text: string): string => new TextDecoder().decode(unescapeHex(text));

/** Only the files whose path passes `keep` (and stdout) become events. */
export function parseTrace(log: string, keep: (path: string) => boolean): TraceEvent[] {
  const events: TraceEvent[] = [];
  const pendingSync = new Map<string, string>(); // pid -> path of a sync in flight
  for (const raw of log.split('\n')) {
    const line = lineRe.exec(raw);
    if (!line) continue;
    const [, pid, rest] = line as unknown as [string, string, string];
    const resumed = resumedRe.exec(rest);
    if (resumed) {
      const path = pendingSync.get(pid);
      if (path !== undefined && (resumed[1] === 'fsync' || resumed[1] === 'fdatasync')) {
        pendingSync.delete(pid);
        if (resumed[2] === '0') events.push({ kind: 'sync', path });
      }
      continue;
    }
    const call = callRe.exec(rest);
    if (!call) continue;
    const [, name, args] = call as unknown as [string, string, string];
    const fd = fdRe.exec(args);
    if (!fd) continue;
    const path = decodePath(fd[2] as string);
    const unfinished = args.endsWith('<unfinished ...>');
    const failed = !unfinished && !/= \d+/.test(args.slice(args.lastIndexOf(')')));
    if (name === 'write' && fd[1] === '1') {
      const text = stringRe.exec(args);
      if (text) events.push({ kind: 'stdout', text: new TextDecoder().decode(unescapeHex(text[1] as string)) });
      continue;
    }
    if (!keep(path) || failed) continue;
    switch (name) {
      case 'pwrite64': {
        const text = stringRe.exec(args);
        const tail = args.slice((text?.index ?? 0) + (text?.[0].length ?? 0)).split(',').map((s) => s.trim());
        // tail: ['', '<count>', '<offset>) = n'] (or '<offset> <unfinished ...>')
        const offset = Number.parseInt(tail[2] ?? '', 10);
        if (!text || !Number.isSafeInteger(offset)) throw new Error(`unparsed pwrite64: ${raw.slice(0, 200)}`);
        events.push({ kind: 'write', path, offset, data: unescapeHex(text[1] as string) });
        break;
      }
      case 'write':
        // SQLite writes its files with pwrite64 only; a plain write would have an offset we cannot see.
        throw new Error(`unexpected write() to ${path}`);
      case 'ftruncate': {
        const length = Number.parseInt(args.split(',')[1] ?? '', 10);
        events.push({ kind: 'truncate', path, length });
        break;
      }
      case 'fsync':
      case 'fdatasync':
        if (unfinished) pendingSync.set(pid, path);
        else events.push({ kind: 'sync', path });
        break;
    }
  }
  return events;
}

/**
 * A file as a power cut would leave it: `durable` holds what a sync made
 * stable; later writes are pending until the next sync of that file.
 */
export class SimulatedFile {
  durable: Uint8Array = new Uint8Array(0);
  private pending: Array<{ offset: number; data: Uint8Array } | { truncate: number }> = [];

  write(offset: number, data: Uint8Array): void {
    this.pending.push({ offset, data });
  }

  truncate(length: number): void {
    this.pending.push({ truncate: length });
  }

  sync(): void {
    this.durable = SimulatedFile.apply(this.durable, this.pending);
    this.pending = [];
  }

  /** The file after a power cut in which each pending write survived when `survives(i)` says so. */
  afterCut(survives: (index: number) => boolean): Uint8Array {
    return SimulatedFile.apply(this.durable, this.pending.filter((_, i) => survives(i)));
  }

  private static apply(base: Uint8Array, ops: SimulatedFile['pending']): Uint8Array {
    let out = base;
    for (const op of ops) {
      if ('truncate' in op) {
        out = out.slice(0, op.truncate);
        if (out.length < op.truncate) {
          const grown = new Uint8Array(op.truncate);
          grown.set(out);
          out = grown;
        }
        continue;
      }
      const end = op.offset + op.data.length;
      if (end > out.length) {
        const grown = new Uint8Array(end);
        grown.set(out);
        out = grown;
      } else if (out === base) {
        out = out.slice();
      }
      out.set(op.data, op.offset);
    }
    return out;
  }
}
