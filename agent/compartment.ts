/**
 * Where the agent keeps a document: one compartment of the vault
 * (agent/vault: the main one or a hidden one). The agent only needs to read
 * the document it saved last and to save a new one; the vault encrypts,
 * pads and writes atomically. `load()` of a fresh compartment returns an
 * empty array.
 */
export interface DocumentCompartment {
  load(): Uint8Array;
  save(document: Uint8Array): void | Promise<void>;
}

/** A compartment in memory, for tests and for an agent that keeps nothing (never used by the daemon). */
export function memoryCompartment(initial: Uint8Array = new Uint8Array(0)): DocumentCompartment & { saves: number } {
  let stored = initial.slice();
  const c = {
    saves: 0,
    load: () => stored.slice(),
    save: (document: Uint8Array) => {
      stored = document.slice();
      c.saves++;
    },
  };
  return c;
}
