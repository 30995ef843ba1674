/**
 * The handbook's item URLs as fetch reads them: an item id must reach its item's route, never a
 * shorter URL. fetch resolves the dot segments `.` and `..` (and `%2e%2e`), so
 * DELETE …/items/.. would be DELETE of the page.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@app/lib/api';
import { handbookApi } from './api';

const pageUrl = '/api/v1/handbook/pages/some%20page';
const calls: { method: string; url: string }[] = [];

beforeEach(() => {
  calls.length = 0;
  vi.stubGlobal('fetch', (input: string, init: RequestInit) => {
    // What the browser would send: the URL as the WHATWG parser resolves it.
    const { pathname } = new URL(input, 'https://hall.example');
    calls.push({ method: init.method ?? 'GET', url: pathname });
    return Promise.resolve(new Response('{"page":{}}', { status: 200 }));
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('handbook item URLs', () => {
  it('send every other id to its own item, however it is spelled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 64 }),
          fc
            .array(fc.constantFrom('.', '%2e', '%2E', '/', '%', '?', '#', 'a'), {
              minLength: 1,
              maxLength: 4,
            })
            .map((parts) => parts.join('')),
        ),
        fc.boolean(),
        async (id, edit) => {
          fc.pre(id !== '.' && id !== '..');
          calls.length = 0;
          await (edit
            ? handbookApi.editItem('some page', { id, type: 'paragraph', text: 'x' }, 1)
            : handbookApi.removeItem('some page', id));
          expect(calls).toHaveLength(1);
          const url = calls[0]?.url ?? '';
          expect(url.startsWith(`${pageUrl}/items/`), url).toBe(true);
          expect(decodeURIComponent(url.slice(`${pageUrl}/items/`.length))).toBe(id);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuse "." and ".." without sending anything (fetch would name the page or the list)', async () => {
    for (const id of ['.', '..']) {
      await expect(handbookApi.removeItem('some page', id)).rejects.toMatchObject({
        code: 'validation_failed',
      });
      await expect(
        handbookApi.editItem('some page', { id, type: 'paragraph', text: 'x' }, 1),
      ).rejects.toBeInstanceOf(ApiError);
    }
    expect(calls).toEqual([]);
  });
});
