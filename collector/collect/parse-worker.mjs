// A parser thread (parse-pool.ts). Worker threads do not inherit the tsx hooks the CLI registered:
// register them here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
