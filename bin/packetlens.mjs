#!/usr/bin/env node
// Runs the TypeScript CLI straight from source through tsx, so `npx packetlens` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../collector/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
