import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/** Tests that open sockets, start servers or processes, or measure time: one file at a time. */
const SERIAL = [
  'test/e2e/**/*.test.ts',
  'test/server/**/*.test.ts',
  'test/sdk/**/*.test.ts',
  'test/transport/**/*.test.ts',
  'test/run/library.test.ts',
  'test/run/audit.test.ts',
  'test/run/target-control.test.ts',
  'test/run/generator-health.test.ts',
  'test/chaos/**/*.test.ts',
  'test/clickhouse/**/*.test.ts',
  'test/capture/record-proxy.test.ts',
];

export default defineConfig({
  resolve: {
    // Tests run against the SDK's sources, not its build output.
    alias: { '@mlop/sdk-ts': fileURLToPath(new URL('./src/sdk/index.ts', import.meta.url)) },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        // Pure units (no sockets, no child processes): files run in parallel, first.
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: SERIAL, sequence: { groupOrder: 0 } },
      },
      {
        // Load, end-to-end and server tests share two cores: one file after another, so timings stay honest.
        extends: true,
        test: { name: 'serial', include: SERIAL, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
