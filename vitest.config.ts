import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    pool: 'forks',
    // Two files at a time on the 2-core CI machine: most files wait on I/O (HTTP, fsync, PostgreSQL,
    // Chromium, child processes) more than they compute. Files never share ports (port 0), data
    // directories (temp dirs) or databases (one PostgreSQL database per file).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
