import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    // Tests run against the SDK's sources, not its build output.
    alias: { '@mlop/sdk-ts': fileURLToPath(new URL('./src/sdk/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Load tests share two cores: run files one after another so timings stay honest.
    fileParallelism: false,
  },
});
