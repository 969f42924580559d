import { TemplateRenderError, renderWebhookRequest } from '../domain/render-webhook-request.js';
import type { Channel, ChatEventType, RenderedWebhookRequest } from '../domain/webhook-template.js';
import type { IntegrationInput } from '../domain/request-schemas.js';
import { USER_AGENT } from '../platform/version.js';
import { ErrorCode, fieldRuleError, validationError } from './errors.js';
import { checkWebhookTemplate, maskAuth } from './integrations.js';

export interface PreviewSample {
  event: ChatEventType;
  contact: string;
  text: string;
  channel: Channel;
  sender: string;
}

/**
 * The request the client endpoint would receive for a sample message, rendered by the worker's
 * own renderer. Every secret renders as the mask, whether the editor sent one or not: an answer
 * never echoes a secret, and an edited integration only holds the mask anyway.
 */
export function renderPreview(input: IntegrationInput, sample: PreviewSample): RenderedWebhookRequest {
  // The same defaulting and checks as create/update, so the preview shows what would be stored.
  const { body, problems } = checkWebhookTemplate(input);
  if (problems.length > 0) throw fieldRuleError(ErrorCode.BODY_KEY_CONFLICT, problems);
  try {
    return renderWebhookRequest(
      {
        method: input.method,
        url: input.url,
        params: input.params,
        auth: maskAuth(input.auth),
        headers: input.headers,
        body,
      },
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
}
