import { z } from 'zod';

/**
 * Import and export of the handbook from the app (stewards only): an import runs as a job, one
 * at a time per hall; the app polls its status until the report is there.
 */

/** The largest export file the app may upload (the CLI reads any size from disk). */
export const HANDBOOK_IMPORT_MAX_BYTES = 32 * 1024 * 1024;

/** A page an import refused, and why (the same report as `commonhall handbook import`). */
export const importRefusalSchema = z.object({ page: z.string(), reason: z.string() });

export const importReportSchema = z.object({
  imported: z.number().int(),
  refused: z.array(importRefusalSchema),
  replacedStarter: z.number().int(),
  renamedItems: z
    .array(z.object({ page: z.string(), from: z.string(), to: z.string() }))
    .optional(),
});

export const importJobStatuses = ['running', 'done', 'refused', 'failed'] as const;

export const importJobSchema = z.object({
  id: z.string(),
  /** running → done (every page written) | refused (nothing written) | failed (nothing written). */
  status: z.enum(importJobStatuses),
  /** Where the job is: reading the source, then writing the pages. */
  phase: z.enum(['reading', 'writing']),
  source: z.enum(['file', 'site']),
  /** Pages read or written so far, of `total` (0 while the total is not known yet). */
  done: z.number().int(),
  total: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  report: importReportSchema.nullable(),
});
export type ImportJobView = z.infer<typeof importJobSchema>;

export const importSiteBodySchema = z.strictObject({
  url: z
    .string()
    .max(2000)
    .regex(/^https?:\/\/[^\s]+$/i, 'a site address starting with http:// or https://'),
  replace: z.boolean().default(false),
});

export const importFileQuerySchema = z.object({
  replace: z.enum(['true', 'false']).default('false'),
});
