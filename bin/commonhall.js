#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so that `npm start` and the `commonhall` command need no build step.
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../tsconfig.json', import.meta.url).pathname });
await import('../server/cli.ts');
