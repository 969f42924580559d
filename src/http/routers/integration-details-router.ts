import type { Request } from 'express';
import {
  apiDetailsOf,
  rotateResponseToken,
  rotateSigningSecret,
  tryOutCommand,
  type IntegrationDetailsDeps,
} from '../../services/integration-details.js';
import { tenantIdOf } from '../auth.js';
import {
  ApiDetailsSchema,
  RotatedSigningSecretSchema,
  RotatedTokenSchema,
  TryOutResultSchema,
  type ApiDetails,
  type RotatedSigningSecret,
  type RotatedToken,
  type TryOutResult,
} from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { TryOutSchema } from '../../domain/request-schemas.js';
import { IntegrationParams, integrationNotFound } from './integrations-router.js';
import { MT_DOCUMENTED_RESPONSES } from './response-webhook-router.js';

const TAG = 'API Details';

export function integrationDetailsRoutes(
  api: ApiRoutes,
  deps: IntegrationDetailsDeps & { publicBaseUrl: string | undefined },
): void {
  // PUBLIC_BASE_URL, else http://localhost:<the port this server listens on> (SPEC 7). Never the
  // request's Host header: a caller must not choose the URL other people are told to call.
  const baseUrlOf = (req: Request) => deps.publicBaseUrl ?? `http://localhost:${req.socket.localPort ?? 0}`;

  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id/api-details',
      tag: TAG,
      summary: 'The response webhook: URL, headers, body schemas, responses',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(ApiDetailsSchema, 'API Details') },
      errors: [integrationNotFound],
    },
    async ({ params, req, res }) => {
      // The statuses the response webhook answers are the HTTP layer's (error-statuses.ts), not the service's.
      res.json({
        ...(await apiDetailsOf(deps, { tenantId: tenantIdOf(req), id: params.id, baseUrl: baseUrlOf(req) })),
        responses: MT_DOCUMENTED_RESPONSES,
      } satisfies ApiDetails);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/integrations/:id/try-out',
      tag: TAG,
      summary: 'Build a ready cURL command for the response webhook',
      auth: 'tenantKey',
      params: IntegrationParams,
      body: TryOutSchema,
      responses: { 200: json(TryOutResultSchema, 'the command') },
      errors: [
        integrationNotFound,
        errorReply(ErrorCode.UNKNOWN_CONNECTION, 'not a connection of this integration'),
        errorReply(ErrorCode.UNKNOWN_SENDER, 'not a sender of that connection'),
      ],
    },
    async ({ params, body, req, res }) => {
      res.json(
        (await tryOutCommand(deps, {
          tenantId: tenantIdOf(req),
          id: params.id,
          input: body,
          baseUrl: baseUrlOf(req),
        })) satisfies TryOutResult,
      );
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/integrations/:id/rotate-token',
      tag: TAG,
      summary: 'New response token; the old one stops working',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(RotatedTokenSchema, 'the new token') },
      errors: [integrationNotFound],
    },
    async ({ params, req, res }) => {
      res.json({
        responseToken: await rotateResponseToken(deps, { tenantId: tenantIdOf(req), id: params.id }),
      } satisfies RotatedToken);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/integrations/:id/rotate-signing-secret',
      tag: TAG,
      summary: 'New signing secret (whsec_…, shown once); the previous one still signs for SIGNING_SECRET_OVERLAP',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(RotatedSigningSecretSchema, 'the new signing secret') },
      errors: [
        integrationNotFound,
        errorReply(ErrorCode.ROTATION_CONFLICT, 'other rotations of the same integration kept winning; try again'),
      ],
    },
    async ({ params, req, res }) => {
      res.json({
        signingSecret: await rotateSigningSecret(deps, { tenantId: tenantIdOf(req), id: params.id }),
      } satisfies RotatedSigningSecret);
    },
  );
}
