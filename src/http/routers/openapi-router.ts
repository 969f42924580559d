import { createRequire } from 'node:module';
import express, { Router } from 'express';
import { CHATHOOK_VERSION } from '../../platform/version.js';
import { buildOpenApiDocument } from '../openapi.js';

// swagger-ui-dist is CommonJS; its absolutePath() locates the assets we serve ourselves (no CDN).
const swaggerUiDir = (createRequire(import.meta.url)('swagger-ui-dist') as { absolutePath(): string }).absolutePath();

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>chathook API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A separate script rather than inline code, so a strict Content-Security-Policy in front of us still works.
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, tryItOutEnabled: false });\n`;

/** `/openapi.json` and the rendered reference at `/docs`, fully offline. */
export function openApiRouter(): Router {
  const router = Router();
  // Built once: the document depends only on the code. The server URL is left out so the
  // reference calls whichever host served it.
  const document = buildOpenApiDocument({ version: CHATHOOK_VERSION });
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false, maxAge: '1h' }));
  return router;
}
