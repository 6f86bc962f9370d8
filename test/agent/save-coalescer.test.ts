/** Group commit of vault saves: requests during a write share the next one, each resolves only after a write that began after it. */
import { describe, expect, it } from 'vitest';
import { SaveCoalescer } from '../../agent/save-coalescer.ts';

function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('SaveCoalescer', () => {
  it('serves every request made during a write with one next write, which sees all their changes', async () => {
    let value = 0;
    const written: number[] = [];
    const gates: ReturnType<typeof gate>[] = [];
    const saver = new SaveCoalescer(() => {
      written.push(value); // what the write encodes: the state when it starts
      const g = gate();
      gates.push(g);
      return g.promise;
    });
    value = 1;
    const first = saver.request();
    value = 2;
    const second = saver.request();
    value = 3;
    const third = saver.request();
    let secondDone = false;
    void second.then(() => (secondDone = true));
    gates[0]!.open();
    await first;
    await Promise.resolve();
    expect(secondDone).toBe(false); // its change (2) was not in the first write
    expect(written).toEqual([1, 3]);
    gates[1]!.open();
    await Promise.all([second, third]);
    expect(saver.writes).toBe(2);
    expect(saver.requests).toBe(3);
  });

  it('rejects the requests a failed write was serving, and the next request writes again', async () => {
    const gates: ReturnType<typeof gate>[] = [];
    const saver = new SaveCoalescer(() => {
      const g = gate();
      gates.push(g);
      return g.promise;
    });
    const a = saver.request();
    const b = saver.request();
    gates[0]!.fail(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await Promise.resolve();
    gates[1]!.fail(new Error('still full'));
    await expect(b).rejects.toThrow('still full');
    const c = saver.request();
    gates[2]!.open();
    await expect(c).resolves.toBeUndefined();
  });
});
