import { isIP } from 'node:net';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  HANDBOOK_IMPORT_MAX_BYTES,
  importFileQuerySchema,
  importJobSchema,
  importSiteBodySchema,
} from '@common/api/handbook.transfer';
import { badRequest, payloadTooLarge } from '@server/http/errors';
import type { Clock } from '@server/platform/clock';
import { isPrivateAddress } from '@server/platform/net';
import type { ImportJobs } from './handbook.import-jobs';
import type { HandbookService } from './handbook.service';
import { exportAll } from './handbook.transfer';

const tags = ['handbook'];
const job = z.object({ job: importJobSchema });

/** An export file arrives as its own bytes: JSON, or whatever type a browser gives a .json file. */
const uploadTypes = ['application/json', 'application/octet-stream', 'text/plain'];

/**
 * Import and export from the app, for stewards (under /api/v1/handbook): POST /import/file (an
 * export's bytes), POST /import/site ({url}), GET /import/jobs/:id (progress, then the report),
 * GET /export (the download). Every route refuses non-stewards before it reads a body.
 */
export function handbookTransferRoutes(
  service: HandbookService,
  jobs: ImportJobs,
  clock: Clock,
): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const steward = async (req: FastifyRequest) => service.authorize(req.actor, 'administer');
    // Before the body is read: a guest's or a member's upload, or one while an import runs, is
    // refused without buffering 32 MiB of it.
    const stewardAndIdle = async (req: FastifyRequest) => {
      await steward(req);
      jobs.assertIdle();
    };

    // The upload is read here, with its own limit, and parsed by the job (a file that is not
    // JSON gets the CLI's refusal in the report instead of a generic invalid_json).
    await app.register(async (upload) => {
      upload.removeAllContentTypeParsers();
      upload.addContentTypeParser(uploadTypes, (_req, payload, done) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        payload.on('data', (chunk: Buffer) => {
          if (failed) return;
          size += chunk.length;
          if (size > HANDBOOK_IMPORT_MAX_BYTES) {
            failed = true;
            done(tooLarge(), undefined);
            return;
          }
          chunks.push(chunk);
        });
        payload.on('end', () => {
          if (!failed) done(null, Buffer.concat(chunks));
        });
        payload.on('error', (err) => {
          if (!failed) done(err, undefined);
        });
      });
      upload.withTypeProvider<ZodTypeProvider>().post(
        '/import/file',
        {
          bodyLimit: HANDBOOK_IMPORT_MAX_BYTES,
          onRequest: stewardAndIdle,
          schema: {
            tags,
            summary:
              'Import an export file, all or nothing (stewards; 409 import_running while one runs); 202 with the job to poll',
            querystring: importFileQuerySchema,
            response: { 202: job },
          },
        },
        async (req, reply) => {
          const body: unknown = req.body;
          if (!Buffer.isBuffer(body) || body.length === 0)
            throw badRequest('validation_failed', 'Send the export file as the request body.');
          const started = jobs.startFromFile(body, req.query.replace === 'true');
          return reply.status(202).send({ job: started });
        },
      );
    });

    app.post(
      '/import/site',
      {
        onRequest: stewardAndIdle,
        schema: {
          tags,
          summary:
            "Import a Federated Wiki site by its URL, all or nothing (stewards; the host's own networks refused); 202 with the job to poll",
          body: importSiteBodySchema,
          response: { 202: job },
        },
      },
      async (req, reply) => {
        const url = parseSiteUrl(req.body.url, jobs.allowPrivate);
        const started = jobs.startFromSite(url, req.body.replace);
        return reply.status(202).send({ job: started });
      },
    );

    app.get(
      '/import/jobs/:id',
      {
        onRequest: steward,
        schema: {
          tags,
          summary: "An import job's progress and, once finished, its report (stewards)",
          params: z.object({ id: z.string().min(1).max(64) }),
          response: { 200: job },
        },
      },
      async (req) => ({ job: jobs.get(req.params.id) }),
    );

    app.get(
      '/export',
      {
        onRequest: steward,
        schema: {
          tags,
          summary:
            'Download every page as a Federated Wiki export (stewards), a file named with the date',
          querystring: z.strictObject({}),
        },
      },
      async (_req, reply) => {
        const data = await exportAll(service.repo);
        const day = clock.now().toISOString().slice(0, 10);
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="handbook-${day}.json"`)
          .header('cache-control', 'no-store')
          .send(JSON.stringify(data, null, 2) + '\n');
      },
    );
  };
}

const tooLarge = () =>
  payloadTooLarge(`An export file may be at most ${HANDBOOK_IMPORT_MAX_BYTES / 1024 / 1024} MiB.`, {
    maxBytes: HANDBOOK_IMPORT_MAX_BYTES,
  });

/**
 * The site's URL, refused at once when it names an address of this host's own networks (safeFetch
 * refuses those again, after DNS and on every redirect, so a name that resolves there fails in
 * the job's report).
 */
function parseSiteUrl(input: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw badRequest('validation_failed', `${input} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badRequest('validation_failed', 'The site address must start with http:// or https://.');
  if (url.username !== '' || url.password !== '')
    throw badRequest(
      'validation_failed',
      'The site address must not carry a user name or password.',
    );
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (
    !allowPrivate &&
    (host === 'localhost' ||
      host.endsWith('.localhost') ||
      (isIP(host) !== 0 && isPrivateAddress(host)))
  )
    throw badRequest(
      'import_address_not_allowed',
      `${url.host} is an address of this server's own networks; only public sites can be imported.`,
    );
  return url.href;
}
