// The office console (web/): its built files and index.html for each of its client-side paths.
// Only the paths listed here answer with the app: /v1, /docs, /health and unknown paths keep their
// own answers (an unknown API path stays a problem+json 404, never an HTML page).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Where `npm start` and the tests build the console (cli/build-web.ts). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** The console's own pages (web/src/main.tsx): a reload or a mailed link on any of them gets index.html. */
export const CONSOLE_PATHS = [
  '/',
  '/sign-in',
  '/reset-password',
  '/units',
  '/hazards',
  '/hazards/:id',
  '/cases',
  '/cases/:id',
  '/orders',
  '/orders/:id',
  '/enterprises/:id',
  '/notifications',
  '/spot-check',
  '/ranking',
  '/roster',
];

export default fp(
  async (app: FastifyInstance, opts: { root?: string }) => {
    const root = opts.root ?? CONSOLE_DIST;
    if (!existsSync(`${root}/index.html`)) {
      app.log.warn(`the console is not built (${root}/index.html missing): npm start builds it`);
      return;
    }
    // sendFile only: the routes below decide what is served, so nothing falls through to the files by accident.
    await app.register(fastifyStatic, { root, serve: false });
    const hidden = { schema: { hide: true }, config: { public: true } };
    app.get('/assets/*', hidden, (request, reply) => {
      const file = (request.params as { '*': string })['*'];
      // Hashed names: cached for a year; a new build has new names.
      return reply.sendFile(`assets/${file}`, { immutable: true, maxAge: 31_536_000_000 });
    });
    for (const path of CONSOLE_PATHS) {
      app.get(path, hidden, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false }));
    }
  },
  { name: 'console' },
);
