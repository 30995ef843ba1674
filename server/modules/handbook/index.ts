import type { FastifyPluginAsync } from 'fastify';
import type { ModuleDeps } from '@server/app';
import { wireDiagrams } from './handbook.diagrams';
import { HandbookImages } from './handbook.images';
import { HandbookRepo } from './handbook.repo';
import { handbookApiRoutes } from './handbook.routes';
import { HandbookService } from './handbook.service';
import { federatedWikiRoutes } from './wiki.routes';

export type { HandbookService } from './handbook.service';

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
  return {
    service,
    apiRoutes: handbookApiRoutes(service, images, deps.clock),
    wikiRoutes: federatedWikiRoutes(service),
  };
}
