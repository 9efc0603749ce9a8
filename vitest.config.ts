// Unit, integration and e2e tests share one runner; e2e files drive the built app through Debian's Chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // expect.poll waits for the app to reach a state; 1 s (vitest's default) is shorter than a loaded 2-core CI box
    // takes to answer a merge, a re-cluster or a camera stop. A poll that passes returns at once either way.
    expect: { poll: { timeout: 10_000 } },
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
