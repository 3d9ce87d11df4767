import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the CLI's end-to-end tests run the built bin.
    alias: {
      '@strata/compiler': src('compiler'),
      '@strata/cli': src('cli'),
      '@strata/contract': src('contract'),
      '@strata/feeds': src('feeds'),
      '@strata/kernel': src('kernel'),
      '@strata/order-kernel/node': fileURLToPath(new URL('./packages/order-kernel/src/node/index.ts', import.meta.url)),
      '@strata/order-kernel': src('order-kernel'),
      '@strata/report': src('report'),
      '@strata/venues': src('venues'),
      '@strata/agent/history': fileURLToPath(new URL('./packages/agent/src/history/index.ts', import.meta.url)),
      '@strata/agent': src('agent'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'schemas/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
