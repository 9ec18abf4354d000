import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

// lib/ is the pure core shared by the server, the CLI and the browser: no IO, no React, no Node APIs.
const pureCore = {
  files: ['lib/**/*.ts'],
  ignores: ['lib/**/*.test.ts', 'lib/**/*.int.test.ts', 'lib/**/*.test-support.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['node:*', 'fs', 'path', 'child_process', 'os', 'net'],
            message: 'lib/ is pure: do IO in collector/ or app/.',
          },
          {
            group: ['react', 'react-dom', 'next', 'next/*'],
            message: 'lib/ is pure: React belongs in components/ and app/.',
          },
          {
            group: ['ssh2', 'better-sqlite3'],
            message: 'lib/ is pure: hosts and storage belong in collector/.',
          },
          {
            group: ['@/collector/*', '@/app/*', '@/components/*', '../collector/*', '../../collector/*'],
            message: 'lib/ must not depend on outer layers.',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      'bench/out/**',
      'next-env.d.ts',
    ],
  },
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  pureCore,
);
