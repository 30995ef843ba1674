import type { FastifyPluginAsync } from 'fastify';
import type { ModuleDeps } from '@server/app';
import { SETUP_COMPLETED, type SetupCompletedPayload } from '@server/modules/auth';
import { RenderPool, storedRenderer } from './diagram';
import { DiagramStore } from './handbook.diagram-store';
import { wireDiagrams } from './handbook.diagrams';
import { HandbookImages } from './handbook.images';
import { HandbookRepo } from './handbook.repo';
import { ImportJobs } from './handbook.import-jobs';
import { handbookApiRoutes } from './handbook.routes';
import { HandbookService, type AccountDirectory } from './handbook.service';
import { reseedStarter, seedStarter } from './handbook.starter';
import { handbookTransferRoutes } from './handbook.transfer.routes';
import { federatedWikiRoutes } from './wiki.routes';

export type { HandbookService, AccountDirectory } from './handbook.service';
export { registerHandbookCommands } from './handbook.cli';
export { isFederationPath } from './wiki.routes';

/** The handbook module wired once: its API (under /api/v1/handbook) and Federated Wiki routes. */
export interface Handbook {
  service: HandbookService;
  /** Register inside the /api/v1 plugin with prefix '/handbook'. */
  apiRoutes: FastifyPluginAsync;
  /** Register at the site root (outside /api/v1): /:slug.json, /system/*, /favicon.png, /view/*. */
  wikiRoutes: FastifyPluginAsync;
  /** Import jobs started from the app (one at a time). */
  imports: ImportJobs;
  /** Ends a running import and the diagram workers (a render in progress is dropped); the app calls it on close. */
  close(): Promise<void>;
}

/**
 * Builds the handbook for the composition root. With a bus, the starter handbook follows the first
 * steward's language (see reseedStarter); with an account directory, circles show names.
 */
export function createHandbook(
  deps: Pick<ModuleDeps, 'config' | 'db' | 'clock' | 'log'> &
    Partial<Pick<ModuleDeps, 'bus'>> & {
      accounts?: AccountDirectory;
      /** Let an import from the app fetch a site on this host's own networks (tests only). */
      importAllowPrivate?: boolean;
    },
): Handbook {
  const repo = HandbookRepo.from(deps.db);
  const service = new HandbookService(repo, deps.clock);
  service.accounts = deps.accounts;
  // Graphviz runs on worker threads with a time limit; renders are kept in the database.
  const pool = new RenderPool({
    size: deps.config.diagramWorkers,
    timeLimitMs: deps.config.diagramTimeLimitMs,
  });
  const diagrams = wireDiagrams(
    service,
    undefined,
    storedRenderer(pool, DiagramStore.from(deps.db)),
  );
  const images = new HandbookImages(repo, deps.config.dataDir);
  const api = handbookApiRoutes(service, images, deps.clock);
  const imports = new ImportJobs(deps.db, deps.clock, deps.log, deps.importAllowPrivate === true);
  const transfer = handbookTransferRoutes(service, imports, deps.clock);
  if (deps.config.handbookStarter) {
    deps.bus?.subscribe(SETUP_COMPLETED, async (event) => {
      const { locale } = event.payload as SetupCompletedPayload;
      if (locale === null) return;
      const n = await reseedStarter(repo, deps.clock, locale);
      if (n > 0) {
        diagrams.clear();
        deps.log.info({ pages: n, language: locale }, 're-seeded the starter handbook');
      }
    });
  }
  return {
    service,
    // The starter handbook is seeded on first start into an empty handbook only (HANDBOOK_STARTER).
    apiRoutes: async (app, opts) => {
      if (deps.config.handbookStarter) {
        const n = await seedStarter(repo, deps.clock, deps.config.handbookStarterLanguage);
        if (n > 0) deps.log.info({ pages: n }, 'seeded the starter handbook');
      }
      await api(app, opts);
      await app.register(transfer);
    },
    wikiRoutes: federatedWikiRoutes(service),
    imports,
    close: async () => {
      await imports.close();
      await pool.close();
    },
  };
}
