import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on a 2-core machine (vitest's default there is one): most
    // end-to-end files wait on child processes and sockets, not on the CPU. Measured on the
    // 2-core VM under load: 1,797 s of test time in 1,135 s of wall time. Tests that run side
    // by side must not share ports: fixed ones live in 20000-22999, others come from
    // test/support/free-port.ts.
    maxWorkers: 2,
  },
});
