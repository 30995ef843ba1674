import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json lives), whichever file asks. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where `vite build` writes the app and the server serves it from. */
export const appDistDir = join(projectRoot, 'dist', 'app');
