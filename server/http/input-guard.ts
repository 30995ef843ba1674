import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors';

/** JSON bodies may nest this deep; the deepest thing we keep (a Federated Wiki page) needs ~10. */
export const JSON_MAX_DEPTH = 64;

// Half of a surrogate pair without the other half (not well-formed UTF-16).
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes('\u0000') || loneSurrogate.test(s);

/**
 * The first problem in a parsed request value that we cannot store or answer with: text with a
 * NUL character or a lone surrogate, or nesting deeper than JSON_MAX_DEPTH. Undefined when none.
 */
export function findUnstorable(
  value: unknown,
): { path: string; problem: 'text' | 'depth' } | undefined {
  // Iterative: JSON.parse accepts bodies nested hundreds of thousands of levels deep.
  const stack: [unknown, string, number][] = [[value, '', 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, path, depth] = item;
    if (typeof v === 'string') {
      if (unstorable(v)) return { path: path === '' ? '/' : path, problem: 'text' };
    } else if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) {
      if (depth >= JSON_MAX_DEPTH) return { path, problem: 'depth' };
      for (const [k, x] of Object.entries(v)) {
        if (unstorable(k)) return { path: `${path}/${k}`, problem: 'text' };
        stack.push([x, `${path}/${k}`, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Refuses, with 400 validation_failed, a request whose path parameters, query or JSON body hold
 * what the modules could not store or serialise:
 * - a NUL character: PostgreSQL text cannot hold U+0000 (SQLite can), so a name with one was a
 *   500 on one database and stored on the other;
 * - a lone surrogate: stored as U+FFFD on both while the answer echoed what was sent;
 * - nesting deeper than JSON_MAX_DEPTH: loose objects (handbook story items keep unknown fields)
 *   took it in, and JSON.stringify overflowed the stack storing or answering it (a 500).
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts = [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const;
    for (const [where, value] of parts) {
      const found = findUnstorable(value);
      if (found === undefined) continue;
      throw found.problem === 'text'
        ? badRequest(
            'validation_failed',
            'Text must be well-formed Unicode without NUL characters.',
            [{ in: where, path: found.path, message: 'contains U+0000 or a lone surrogate' }],
          )
        : badRequest('validation_failed', `JSON may nest at most ${JSON_MAX_DEPTH} levels deep.`, [
            { in: where, path: found.path, message: `nested deeper than ${JSON_MAX_DEPTH} levels` },
          ]);
    }
  });
}
