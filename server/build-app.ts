import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appDistDir, projectRoot } from '@server/paths';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/app is missing or older than any source the app is built from. */
export function appIsStale(): boolean {
  const index = join(appDistDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = [join(projectRoot, 'app'), join(projectRoot, 'common')];
  const configFile = join(projectRoot, 'vite.config.ts');
  return (
    sources.some((d) => existsSync(d) && newestMtime(d) > built) ||
    statSync(configFile).mtimeMs > built
  );
}

/** Builds the SPA with Vite (used by `npm start` when the build is missing or stale). */
export async function buildAppAssets(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(projectRoot, 'vite.config.ts'), logLevel: 'warn' });
}
