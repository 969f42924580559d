import { z } from 'zod';
import { ErrorCode } from './error-catalogue.js';

/**
 * The response webhook (MT) payloads (SPEC section 5). One schema validates the endpoint,
 * generates the JSON Schemas of API Details and the OpenAPI document, and types the handlers.
 */
export const MAX_MT_TEXT = 4096;

export const SmsMtChannelSchema = z.strictObject({
  type: z.literal('SMS'),
  route: z
    .string()
    .regex(
      /^(?:[0-9]{1,15}|(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11})$/,
      'an SMS sender: 1–15 digits or an alphanumeric id of up to 11 characters',
    )
    .describe('the SMS sender the reply goes out from (short code, long code or alphanumeric id)'),
  connection: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a connection code')
    .describe('the connection code that carries the route'),
});

export const WhatsAppMtChannelSchema = z.strictObject({
  type: z.literal('WHATSAPP'),
  sender: z
    .string()
    .regex(/^[0-9]{7,15}$/, 'the WABA phone number: 7–15 digits, no "+"')
    .describe('the WABA phone number the reply goes out from'),
});

const message = <C extends z.ZodType>(channel: C) =>
  z.strictObject({
    type: z.literal('MESSAGE'),
    channel,
    msg: z.string().min(1).max(MAX_MT_TEXT).describe(`the text sent to the contact, at most ${MAX_MT_TEXT} characters`),
  });

export const SmsMtMessageSchema = message(SmsMtChannelSchema);
export const WhatsAppMtMessageSchema = message(WhatsAppMtChannelSchema);
export const MtMessageSchema = message(z.discriminatedUnion('type', [SmsMtChannelSchema, WhatsAppMtChannelSchema]));
export const MtEndSchema = z.strictObject({ type: z.literal('END') });
export const MtEventSchema = z.discriminatedUnion('type', [MtMessageSchema, MtEndSchema]);
export type MtEvent = z.infer<typeof MtEventSchema>;
export type MtMessage = z.infer<typeof MtMessageSchema>;

/** What an accepted reply or END is answered with, as API Details lists it. */
export const MT_ACCEPTED_MEANING =
  'Accepted into the chat: MESSAGE is sent through the carrier; END closes the chat. Body {eventId, chatId}.';

/**
 * Every error the response webhook answers with, as API Details lists it (in the order of their
 * statuses; the statuses are the HTTP layer's, src/http/error-statuses.ts).
 */
export const MT_REFUSALS: ReadonlyArray<{ code: ErrorCode; meaning: string }> = [
  {
    code: ErrorCode.VALIDATION_ERROR,
    meaning:
      'Malformed JSON or a body that breaks the schema (the message names the field); msg over 4,096 characters.',
  },
  { code: ErrorCode.UNAUTHORIZED, meaning: 'Missing or unknown response token.' },
  { code: ErrorCode.FORBIDDEN, meaning: 'A valid response token of another integration.' },
  {
    code: ErrorCode.CHAT_NOT_FOUND,
    meaning: 'No open chat for this contact: MT is only valid inside a chat the contact started.',
  },
  { code: ErrorCode.INTEGRATION_INACTIVE, meaning: 'The integration is not active.' },
  {
    code: ErrorCode.WINDOW_CLOSED,
    meaning: "WhatsApp: the 24-hour customer service window since the contact's last message is over.",
  },
  { code: ErrorCode.PAYLOAD_TOO_LARGE, meaning: 'Body over 1 MB.' },
  {
    code: ErrorCode.UNKNOWN_SENDER,
    meaning:
      "The route/connection/sender is not an active connection of this integration, or its channel differs from the chat's.",
  },
  {
    code: ErrorCode.CHAT_BACKLOG,
    meaning:
      'The chat already holds the most replies it keeps waiting for the carrier; retry after Retry-After seconds.',
  },
  {
    code: ErrorCode.CHAT_UNAVAILABLE,
    meaning: 'The chat did not answer in time (Temporal or the worker unavailable); retry.',
  },
];
