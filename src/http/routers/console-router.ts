import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { CONSOLE_DIST } from '../../platform/embedded/console-build.js';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chathook console</title></head>
<body><h1>The console is not built</h1><p>Run <code>npm run build:console</code> (or <code>npm start</code>, which builds it) and reload.</p></body></html>`;

/** The web console at /console: its static build, and index.html for every client-side route. */
export function consoleRouter(distDir: string = CONSOLE_DIST): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/console/'));
  // File names under assets/ carry a content hash: they can be cached for good.
  router.use(
    '/console/assets',
    express.static(join(distDir, 'assets'), { index: false, immutable: true, maxAge: '1y', fallthrough: true }),
  );
  router.use('/console', express.static(distDir, { index: false, redirect: false }));
  router.get('/console{/*route}', (req, res, next) => {
    // A missing hashed asset is a 404, not the app's HTML under a script's name.
    if (req.path.startsWith('/console/assets/')) {
      next();
      return;
    }
    const index = join(distDir, 'index.html');
    if (!existsSync(index)) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}
