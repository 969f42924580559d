/**
 * The OpenAPI 3.1 document, generated from the routes' own declarations (`route.ts`): every
 * operation is published from the zod schemas its handler validates with.
 */
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ApiRoutes } from './route.js';

export function buildOpenApiDocument(routes: ApiRoutes, options: { version: string; serverUrl?: string }) {
  const generator = new OpenApiGeneratorV31(routes.registry.definitions);
  return generator.generateDocument({
    // 3.1's default schema dialect is JSON Schema 2020-12 (what zod emits); Swagger UI warns on any explicit one.
    openapi: '3.1.1',
    info: {
      title: 'chathook',
      version: options.version,
      description:
        'The Custom Webhook integration of an SMS/WhatsApp conversational platform: management API (`/v1`), carrier inbound callbacks and the response webhook. ' +
        'Errors are `{"error":{"code","message",...}}`; lists are `{items, nextCursor}` with `?limit=` (1..500) and `?cursor=`. ' +
        "`400` means the request breaks this document's schema; `422` is a domain rule no schema can express, documented on its operation.",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
  });
}
