import type { ImportJobView } from '@common/api/handbook.transfer';
import { conflict, notFound } from '@server/http/errors';
import type { Clock } from '@server/platform/clock';
import type { DbHandle } from '@server/platform/db';
import { newId } from '@server/platform/ids';
import type { Logger } from '@server/platform/log';
import { importFromSource } from './handbook.cli';
import { HandbookRepo } from './handbook.repo';
import { importExport, type ImportReport } from './handbook.transfer';

/** Finished jobs kept for their status route (the newest ones). */
const KEPT_JOBS = 20;

class Stopped extends Error {
  constructor() {
    super('the server is stopping');
  }
}

/**
 * The handbook's import jobs, started from the app by a steward: one at a time per hall (a second
 * start while one runs → 409 import_running), each with its progress and, once finished, the same
 * all-or-nothing report as `commonhall handbook import`. Jobs live in this process: with several
 * app nodes each node runs its own one at a time (the import itself is one transaction, so two
 * never interleave their writes), and the app polls the node that answered the start.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJobView>();
  private running: { id: string; done: Promise<void> } | undefined;
  private stopping = false;

  constructor(
    private readonly db: DbHandle,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Let a site URL reach this host's own networks (tests with a wiki on loopback only). */
    readonly allowPrivate = false,
  ) {}

  /** Refuses (409) when an import runs; called before an upload's body is read, and again at start. */
  assertIdle(): void {
    if (this.running !== undefined) {
      throw conflict(
        'import_running',
        'An import is already running in this handbook; wait for its report.',
        { job: this.running.id },
      );
    }
  }

  /** Imports an uploaded export (its bytes, not yet parsed). */
  startFromFile(bytes: Buffer, replace: boolean): ImportJobView {
    return this.start('file', async (job) => {
      let raw: unknown;
      try {
        raw = JSON.parse(bytes.toString('utf8'));
      } catch (err) {
        // The same refusal as the CLI gives for a file that is not JSON.
        return {
          imported: 0,
          refused: [{ page: '(file)', reason: `not valid JSON: ${(err as Error).message}` }],
          replacedStarter: 0,
        };
      }
      job.phase = 'writing';
      return importExport(HandbookRepo.from(this.db), this.clock, raw, { replace }, (d, t) =>
        this.progress(job, d, t),
      );
    });
  }

  /** Imports a running Federated Wiki site: its page list, then each page (fetched safely). */
  startFromSite(url: string, replace: boolean): ImportJobView {
    return this.start('site', (job) =>
      importFromSource(this.db, url, {
        replace,
        clock: this.clock,
        allowPrivate: this.allowPrivate,
        progress: (d, t) => this.progress(job, d, t),
      }),
    );
  }

  /** A job's status; 404 import_job_not_found for an unknown (or long finished) id. */
  get(id: string): ImportJobView {
    const job = this.jobs.get(id);
    if (job === undefined) throw notFound('import_job_not_found', 'There is no such import job.');
    return { ...job };
  }

  /** Resolves when no import runs (tests; the app's close). */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /** Stops taking imports and ends the running one at its next page (nothing is written then). */
  async close(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  private progress(job: ImportJobView, done: number, total: number): void {
    if (this.stopping) throw new Stopped();
    job.done = done;
    job.total = total;
  }

  private start(
    source: ImportJobView['source'],
    run: (job: ImportJobView) => Promise<ImportReport>,
  ): ImportJobView {
    this.assertIdle();
    if (this.stopping) throw conflict('import_running', 'The server is stopping.');
    const job: ImportJobView = {
      id: newId(),
      status: 'running',
      phase: 'reading',
      source,
      done: 0,
      total: 0,
      startedAt: this.clock.now().toISOString(),
      finishedAt: null,
      report: null,
    };
    this.jobs.set(job.id, job);
    for (const old of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEPT_JOBS)))
      this.jobs.delete(old);
    const done = (async () => {
      try {
        const report = await run(job);
        job.report = report;
        job.status = report.refused.length > 0 ? 'refused' : 'done';
      } catch (err) {
        // Nothing was written: importExport writes in one transaction, which the error rolled back.
        job.status = 'failed';
        job.report = {
          imported: 0,
          refused: [
            {
              page: '(import)',
              reason:
                err instanceof Stopped ? err.message : 'the import failed; nothing was imported',
            },
          ],
          replacedStarter: 0,
        };
        if (!(err instanceof Stopped))
          this.log.error({ err, job: job.id }, 'handbook import failed');
      } finally {
        job.finishedAt = this.clock.now().toISOString();
        this.running = undefined;
      }
    })();
    this.running = { id: job.id, done };
    return { ...job };
  }
}
