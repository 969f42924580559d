import { renderPreview } from '../../services/preview.js';
import { PreviewInputSchema, PreviewSampleSchema, PreviewSchema, type Preview } from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { templateTooLarge } from './integrations-router.js';

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
      responses: { 200: json(PreviewSchema, 'the rendered request') },
      errors: [templateTooLarge, errorReply(ErrorCode.BODY_KEY_CONFLICT, 'body keys that contradict each other')],
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
