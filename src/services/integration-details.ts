/**
 * API Details of an integration (SPEC section 2): how the client calls the response webhook,
 * a ready cURL to try it, and the rotation of its response token and of its signing secret.
 */
import { z } from 'zod';
import type { ConnectionRepository } from '../db/connections.js';
import type { IntegrationRepository } from '../db/integrations.js';
import { MtEndSchema, SmsMtMessageSchema, WhatsAppMtMessageSchema, type MtEvent } from '../domain/mt-event.js';
import { buildTryOutCurl } from '../domain/try-out-curl.js';
import type { TryOut } from '../domain/request-schemas.js';
import { generateSigningSecret, type SecretBox } from '../platform/secrets.js';
import { AppError, ErrorCode } from './errors.js';
import { findTenantIntegration, newResponseToken } from './integrations.js';

export interface IntegrationDetailsDeps {
  integrations: IntegrationRepository;
  /** Try Out builds its command for one of the integration's connections. */
  connections: ConnectionRepository;
  secretBox: SecretBox;
  /** SIGNING_SECRET_OVERLAP: how long the replaced signing secret still signs beside the new one. */
  signingSecretOverlapMs: number;
}

/** The response webhook of one integration; `{chatIdentifier}` is the contact's number. */
const responseEndpointPath = (integrationId: string, chatIdentifier = '{chatIdentifier}') =>
  `/integrations/live-chat/${integrationId}/chats/${chatIdentifier}/events`;

const BODY_SCHEMAS = {
  SMS: z.toJSONSchema(SmsMtMessageSchema),
  WHATSAPP: z.toJSONSchema(WhatsAppMtMessageSchema),
  END: z.toJSONSchema(MtEndSchema),
};

/** Everything a client needs to call the response webhook, the token included (the owner asks). */
export async function apiDetailsOf(
  deps: Pick<IntegrationDetailsDeps, 'integrations' | 'secretBox'>,
  input: { tenantId: string; id: string; baseUrl: string },
) {
  const { baseUrl } = input;
  const integration = await findTenantIntegration(deps, input);
  const responseToken = deps.secretBox.open(integration.responseTokenSealed);
  return {
    endpoint: { method: 'POST' as const, url: `${baseUrl}${responseEndpointPath(integration._id.toHexString())}` },
    headers: [
      {
        name: 'Authorization',
        value: `Bearer ${responseToken}`,
        required: true,
        description: "the integration's response token",
      },
      { name: 'Content-Type', value: 'application/json', required: true },
      {
        name: 'Idempotency-Key',
        value: null,
        required: false,
        description: 'a retried request with the same key returns the first result and sends nothing twice',
      },
    ],
    parameters: [
      {
        name: 'chatIdentifier',
        in: 'path',
        required: true,
        description: "the contact's phone number, the chat the contact started",
      },
    ],
    bodySchemas: BODY_SCHEMAS,
    examples: {
      SMS: {
        type: 'MESSAGE',
        channel: { type: 'SMS', route: '141518', connection: 'AWSexample121218' },
        msg: 'Hello!',
      },
      WHATSAPP: { type: 'MESSAGE', channel: { type: 'WHATSAPP', sender: '584123149352' }, msg: 'Hello!' },
      END: { type: 'END' },
    },
  };
}

/** A ready cURL command for one of the integration's connections and senders. */
export async function tryOutCommand(
  deps: Pick<IntegrationDetailsDeps, 'integrations' | 'connections' | 'secretBox'>,
  request: { tenantId: string; id: string; input: TryOut; baseUrl: string },
) {
  const { tenantId, input, baseUrl } = request;
  const integration = await findTenantIntegration(deps, request);
  const connection = integration.connections.some(({ code }) => code === input.connection)
    ? await deps.connections.findForTenant(tenantId, input.connection)
    : null;
  if (!connection)
    throw new AppError({
      code: ErrorCode.UNKNOWN_CONNECTION,
      message: `${input.connection} is not a connection of this integration`,
    });
  const sender = input.sender ?? connection.senders[0]!;
  if (!connection.senders.includes(sender))
    throw new AppError({ code: ErrorCode.UNKNOWN_SENDER, message: `${sender} is not a sender of ${connection.code}` });
  const body: MtEvent =
    connection.channel === 'SMS'
      ? { type: 'MESSAGE', channel: { type: 'SMS', route: sender, connection: connection.code }, msg: input.msg }
      : { type: 'MESSAGE', channel: { type: 'WHATSAPP', sender }, msg: input.msg };
  const url = `${baseUrl}${responseEndpointPath(integration._id.toHexString(), input.contact)}`;
  return {
    curl: buildTryOutCurl({ url, responseToken: deps.secretBox.open(integration.responseTokenSealed), body }),
    url,
    body,
  };
}

/** A new response token; the old one stops working at once. */
export async function rotateResponseToken(
  deps: Pick<IntegrationDetailsDeps, 'integrations' | 'secretBox'>,
  input: { tenantId: string; id: string },
): Promise<string> {
  const integration = await findTenantIntegration(deps, input);
  const { responseToken, stored } = newResponseToken(deps.secretBox);
  await deps.integrations.setResponseToken(integration._id, stored);
  return responseToken;
}

/**
 * Rotations that race read the same current secret; the loser reads again (the winner's secret becomes its previous
 * one).
 */
const ROTATION_TRIES = 5;

/**
 * A new signing secret, shown once. The one it replaces keeps signing beside it for the overlap,
 * so receivers can switch without rejecting a delivery; only the latest replaced secret is kept,
 * so a second rotation within the overlap ends the first one's.
 */
export async function rotateSigningSecret(
  deps: Pick<IntegrationDetailsDeps, 'integrations' | 'secretBox' | 'signingSecretOverlapMs'>,
  input: { tenantId: string; id: string },
): Promise<string> {
  const signingSecret = generateSigningSecret();
  const signingSecretSealed = deps.secretBox.seal(signingSecret);
  for (let tries = 0; tries < ROTATION_TRIES; tries += 1) {
    const integration = await findTenantIntegration(deps, input);
    const previousSigningSecret = {
      secretSealed: integration.signingSecretSealed,
      expiresAt: new Date(Date.now() + deps.signingSecretOverlapMs),
    };
    if (
      await deps.integrations.replaceSigningSecret(integration._id, input.tenantId, integration.signingSecretSealed, {
        signingSecretSealed,
        previousSigningSecret,
      })
    ) {
      return signingSecret;
    }
  }
  throw new AppError({
    code: ErrorCode.ROTATION_CONFLICT,
    message: 'The signing secret is being rotated by another request: try again',
  });
}
