import type { FastifyPluginAsync } from 'fastify';
import type { ModuleDeps } from '@server/app';
import { wireDiagrams } from './handbook.diagrams';
import { HandbookImages } from './handbook.images';
import { HandbookRepo } from './handbook.repo';
import { handbookApiRoutes } from './handbook.routes';
import { HandbookService } from './handbook.service';
import { seedStarter } from './handbook.starter';
import { federatedWikiRoutes } from './wiki.routes';

export type { HandbookService } from './handbook.service';
export { registerHandbookCommands } from './handbook.cli';

/** The handbook module wired once: its API (under /api/v1/handbook) and Federated Wiki routes. */
export interface Handbook {
  service: HandbookService;
  /** Register inside the /api/v1 plugin with prefix '/handbook'. */
  apiRoutes: FastifyPluginAsync;
  /** Register at the site root (outside /api/v1): /:slug.json and /system/sitemap.json. */
  wikiRoutes: FastifyPluginAsync;
}

/** Builds the handbook for the composition root. */
export function createHandbook(
  deps: Pick<ModuleDeps, 'config' | 'db' | 'clock' | 'log'>,
): Handbook {
  const repo = HandbookRepo.from(deps.db);
  const service = new HandbookService(repo, deps.clock);
  wireDiagrams(service);
  const images = new HandbookImages(repo, deps.config.dataDir);
  const api = handbookApiRoutes(service, images, deps.clock);
  return {
    service,
    // The starter handbook is seeded on first start into an empty handbook only (HANDBOOK_STARTER).
    apiRoutes: async (app, opts) => {
      if (deps.config.handbookStarter) {
        const n = await seedStarter(deps.db, repo, deps.clock);
        if (n > 0) deps.log.info({ pages: n }, 'seeded the starter handbook');
      }
      await api(app, opts);
    },
    wikiRoutes: federatedWikiRoutes(service),
  };
}
