import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, notFound } from '@server/http/errors';
import { newId } from '@server/platform/ids';
import { HANDBOOK_IMAGE_MAX_BYTES } from '@common/api/handbook';
import type { HandbookRepo } from './handbook.repo';

const signatures: { type: string; test: (b: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    test: (b) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  {
    type: 'image/webp',
    test: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' &&
      b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

export const imageTooLarge = (bytes: number) =>
  new AppError(
    413,
    'image_too_large',
    `The image is larger than ${HANDBOOK_IMAGE_MAX_BYTES / 1024 / 1024} MiB, the most an image may be.`,
    { bytes, limitBytes: HANDBOOK_IMAGE_MAX_BYTES },
  );

export const storageUnavailable = () =>
  new AppError(
    503,
    'storage_unavailable',
    'The image could not be saved: the storage is full or cannot be written. Try again later.',
  );

/**
 * The content type of an image's bytes (PNG, JPEG, GIF or WebP, by their signature, whatever a
 * header or a data: URL said); throws image_too_large or image_type_unsupported otherwise.
 */
export function checkImage(bytes: Buffer): string {
  if (bytes.length > HANDBOOK_IMAGE_MAX_BYTES) throw imageTooLarge(bytes.length);
  const sig = signatures.find((s) => s.test(bytes));
  if (sig === undefined) {
    throw new AppError(415, 'image_type_unsupported', 'Images must be PNG, JPEG, GIF or WebP.');
  }
  return sig.type;
}

/** Writes a new file and flushes it to disk; throws when it cannot (a full disk, a read-only one). */
export type WriteFile = (path: string, bytes: Buffer) => Promise<void>;

export const writeNewFile: WriteFile = async (path, bytes) => {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
};

/** Images uploaded for image items: files under DATA_DIR/handbook/images, types checked by content. */
export class HandbookImages {
  constructor(
    private readonly repo: HandbookRepo,
    private readonly dataDir: string,
    /** How a file is written (tests pass one that fails like a full disk). */
    private readonly write: WriteFile = writeNewFile,
  ) {}

  private dir(): string {
    return join(this.dataDir, 'handbook', 'images');
  }

  /** Stores an image; its bytes must be one of the accepted types, whatever the header said. */
  async store(
    bytes: Buffer,
    createdBy: string | null,
    now: Date,
  ): Promise<{ id: string; url: string; contentType: string }> {
    const sig = { type: checkImage(bytes) };
    const id = newId();
    const file = join(this.dir(), id);
    // Written under a temporary name and renamed once whole: a failed write (a full disk) leaves
    // no empty or cut-off image behind under the id.
    const temp = join(this.dir(), `.${id}.partial`);
    try {
      await mkdir(this.dir(), { recursive: true });
      await this.write(temp, bytes);
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw Object.assign(storageUnavailable(), { cause: err });
    }
    try {
      await this.repo.insertImage({
        id,
        contentType: sig.type,
        size: bytes.length,
        createdBy,
        createdAt: now.toISOString(),
      });
    } catch (err) {
      await rm(file, { force: true }).catch(() => undefined);
      throw err;
    }
    return { id, url: `/api/v1/handbook/images/${id}`, contentType: sig.type };
  }

  async read(id: string): Promise<{ contentType: string; bytes: Buffer }> {
    const row = /^[A-Za-z0-9_-]{10,40}$/.test(id) ? await this.repo.findImage(id) : undefined;
    if (row === undefined) throw notFound('image_not_found', 'There is no such image.');
    return { contentType: row.contentType, bytes: await readFile(join(this.dir(), row.id)) };
  }
}
