import { Router } from 'express';
import { DEFAULT_BODY, type WebhookAuth } from '../../domain/webhook-template.js';
import { TemplateRenderError, renderWebhookRequest, validateWebhookTemplate } from '../../domain/render-webhook-request.js';
import { validationError } from '../../services/errors.js';
import { USER_AGENT } from '../../platform/version.js';
import { PreviewInputSchema, PreviewSampleSchema, type Preview } from '../response-schemas.js';
import { MASKED_SECRET, type AuthInput } from '../schemas.js';
import { parseInput } from '../validation.js';

/**
 * The preview renders with the mask in place of every secret, whether the editor sent one or
 * not: an answer never echoes a secret, and an edited integration only holds the mask anyway.
 */
function maskedAuthOf(auth: AuthInput): WebhookAuth {
  switch (auth.type) {
    case 'API_KEY':
      return { type: 'API_KEY', key: auth.key, value: MASKED_SECRET, in: auth.in };
    case 'BASIC':
      return { type: 'BASIC', username: auth.username, password: MASKED_SECRET };
    case 'BEARER':
      return { type: 'BEARER', token: MASKED_SECRET };
    default:
      return { type: 'NONE' };
  }
}

/** `POST /v1/preview`: the editor's live preview, rendered by the worker's own renderer. */
export function previewRouter(): Router {
  const router = Router();
  router.post('/v1/preview', (req, res) => {
    const input = parseInput(PreviewInputSchema, req.body);
    const sample = PreviewSampleSchema.parse(input.sample ?? {});
    // The same defaulting as create/update, so the preview shows what would be stored.
    const body = input.body ?? (input.method === 'GET' ? [] : [...DEFAULT_BODY]);
    const problems = validateWebhookTemplate({ method: input.method, url: input.url, headers: input.headers, body });
    if (problems.length > 0) throw validationError(problems.map((problem) => ({ path: problem.path.join('.'), message: problem.message })));
    let request;
    try {
      request = renderWebhookRequest(
        { method: input.method, url: input.url, params: input.params, auth: maskedAuthOf(input.auth), headers: input.headers, body },
        {
          chatId: 'chat_preview',
          contact: sample.contact,
          event: sample.event,
          text: sample.event === 'MESSAGE' ? sample.text : null,
          multimedia: { url: null, caption: null },
          sender: sample.sender,
          channel: sample.channel,
          timestamp: new Date().toISOString(),
        },
        { userAgent: USER_AGENT },
      );
    } catch (error) {
      if (error instanceof TemplateRenderError) throw validationError([{ path: '', message: error.message }]);
      throw error;
    }
    const preview: Preview = {
      request: { ...request, body: request.body ?? null },
      signingHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      secretsMasked: true,
    };
    res.json(preview);
  });
  return router;
}
