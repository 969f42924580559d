import { createRequire } from 'node:module';
import express, { Router } from 'express';
import { z } from 'zod';
import { CHATHOOK_VERSION } from '../../platform/version.js';
import { buildOpenApiDocument } from '../openapi.js';
import { json, type ApiRoutes } from '../route.js';

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
// validatorUrl: null: no badge image from validator.swagger.io (the CSP allows images from this origin only).
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, tryItOutEnabled: false, validatorUrl: null });\n`;

/** `/openapi.json` and the rendered reference at `/docs`, fully offline. */
export function openApiRoutes(api: ApiRoutes): Router {
  // Built on first request, once every router has declared its routes; the server URL is left
  // out so the reference calls whichever host served it.
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  api.route(
    {
      method: 'get',
      path: '/openapi.json',
      tag: 'Operations',
      summary: 'This document',
      auth: 'none',
      responses: { 200: json(z.looseObject({ openapi: z.string() }), 'OpenAPI 3.1') },
    },
    ({ res }) => {
      document ??= buildOpenApiDocument(api, { version: CHATHOOK_VERSION });
      res.json(document);
    },
  );
  // Pages for people, not API operations: served beside the API, left out of the document.
  const pages = Router();
  pages.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  pages.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  pages.use('/docs/assets', express.static(swaggerUiDir, { index: false, maxAge: '1h' }));
  return pages;
}
