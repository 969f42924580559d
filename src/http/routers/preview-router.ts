import { renderPreview } from '../../services/preview.js';
import { PreviewInputSchema, PreviewSampleSchema, PreviewSchema, type Preview } from '../response-schemas.js';
import { json, problem, type ApiRoutes } from '../route.js';
import { TEMPLATE_TOO_LARGE } from './integrations-router.js';

/** `POST /v1/preview`: the editor's live preview. */
export function previewRoutes(api: ApiRoutes): void {
  api.route(
    {
      method: 'post',
      path: '/v1/preview',
      tag: 'Integrations',
      summary: 'Render the request the client endpoint would receive for a sample message (the worker\u2019s renderer)',
      auth: 'tenantKey',
      body: PreviewInputSchema,
      responses: {
        200: json(PreviewSchema, 'the rendered request'),
        400: problem(`VALIDATION_ERROR (each bad field by path) or INVALID_JSON / ${TEMPLATE_TOO_LARGE}`),
        422: problem('BODY_KEY_CONFLICT: body keys that contradict each other'),
      },
    },
    ({ body, res }) => {
      const request = renderPreview(body, PreviewSampleSchema.parse(body.sample ?? {}));
      res.json({
        request: { ...request, body: request.body ?? null },
        signingHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
        secretsMasked: true,
      } satisfies Preview);
    },
  );
}
