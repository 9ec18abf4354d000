import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests need root (network namespaces, real iptables/nft).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Property tests run hundreds of cases; on a loaded 2-core CI machine 5 s is not enough.
          testTimeout: 30_000,
          include: ['lib/**/*.test.ts', 'collector/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['lib/**/*.int.test.ts', 'collector/**/*.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // They share one machine's namespaces and sshd ports: one file at a time.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
