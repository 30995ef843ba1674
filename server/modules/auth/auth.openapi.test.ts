import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@common/api/errors';
import { buildAuthTestApp } from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';

interface Operation {
  summary?: string;
  tags?: string[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
interface OpenApiDoc {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
}

/** Every method + path Fastify has registered, read from its route tree. */
function registeredRoutes(tree: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│├└─\s]*)(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (m === null || m[2] === undefined) continue;
    const depth = Math.max(0, Math.round((m[1] ?? '').length / 4) - 1);
    const path = (depth > 0 ? (stack[depth - 1] ?? '') : '') + m[2];
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method !== '' && method !== 'HEAD') out.push({ method, path });
    }
  }
  return out;
}

describe(`OpenAPI document on ${testDialect()}`, () => {
  let t: TestApp;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    t = await buildAuthTestApp();
    doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json<OpenApiDoc>();
  });
  afterAll(async () => {
    await t.close();
  });

  it('documents every registered /api/v1 route', () => {
    const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.path.startsWith('/api/v1/') && r.path !== '/api/v1/openapi.json',
    );
    // The auth routes alone are 20; a broken tree parse must not pass silently.
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const missing = routes.filter((r) => {
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      return doc.paths[path]?.[r.method.toLowerCase()] === undefined;
    });
    expect(missing).toEqual([]);
  });

  it('gives every auth operation a summary, a tag and a response schema; writes a body', () => {
    const authPaths = Object.entries(doc.paths).filter(([p]) =>
      /^\/api\/v1\/(session|setup|accounts|me|password-resets|invitations|admin\/(accounts|registration|invitations))/.test(
        p,
      ),
    );
    expect(authPaths.length).toBeGreaterThanOrEqual(12);
    for (const [path, ops] of authPaths) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(1);
        const needsBody =
          ['post', 'put', 'patch'].includes(method) ||
          (method === 'delete' && path === '/api/v1/me');
        if (needsBody) expect(op.requestBody, `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('lists every error code', () => {
    for (const code of errorCodes) expect(doc.info.description).toContain(code);
    expect(errorCodes).toContain('email_taken');
    expect(errorCodes).toContain('last_steward');
  });
});
