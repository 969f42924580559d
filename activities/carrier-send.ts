import { RouteKeys } from '../src/db/route-keys.js';
import { ApplicationFailure } from '@temporalio/activity';
import { request, type Dispatcher } from 'undici';
import type { ConnectionRepository } from '../src/db/connections.js';
import type { ReplyRepository } from '../src/db/replies.js';
import type { Channel } from '../src/domain/webhook-template.js';
import type { Logger } from '../src/platform/logger.js';
import { findForbiddenTargetError } from '../src/platform/outbound-http.js';
import type { RouteCache } from '../src/platform/route-cache.js';
import type { SecretBox } from '../src/platform/secrets.js';
import { USER_AGENT } from '../src/platform/version.js';
import { FailureType, httpStatusFailureType } from '../workflows/contract/failures.js';

export interface CarrierSendInput {
  tenantId: string;
  integrationId: string;
  chatId: string;
  contact: string;
  eventId: string;
  channel: Channel;
  connectionCode: string;
  from: string;
  text: string;
}

export interface CarrierSendDeps {
  connections: ConnectionRepository;
  replies: ReplyRepository;
  secretBox: SecretBox;
  dispatcher: Dispatcher;
  logger: Logger;
  timeoutMs: number;
  /** The process's routing cache: a send takes its connection from it (at most ROUTE_CACHE_TTL old). */
  routeCache: RouteCache;
}

/**
 * Sends one reply (MT) through the connection's carrier. `http` carriers get
 * `{id, channel, connection, from, to, text}` with the carrier secret; `id` is the eventId, so a
 * retried send is recognisable by the carrier. The `sandbox` carrier only records the message.
 */
export function createCarrierSendActivities(deps: CarrierSendDeps) {
  const { routeCache } = deps;
  /** One row per reply, its outcome as of now (a later outcome of the same eventId replaces it). */
  const record = (
    input: CarrierSendInput,
    carrierType: 'http' | 'sandbox',
    status: 'SENT' | 'FAILED',
    error: string | null,
  ) =>
    deps.replies.recordSend(
      {
        eventId: input.eventId,
        tenantId: input.tenantId,
        integrationId: input.integrationId,
        chatId: input.chatId,
        connectionCode: input.connectionCode,
        carrierType,
        channel: input.channel,
        from: input.from,
        to: input.contact,
        text: input.text,
      },
      { status, error, at: new Date() },
    );

  return {
    async sendCarrierMessage(input: CarrierSendInput): Promise<void> {
      const log = deps.logger.child({
        chatId: input.chatId,
        integrationId: input.integrationId,
        eventId: input.eventId,
      });
      // The connection as the route cache has it (at most ROUTE_CACHE_TTL old), if it is this tenant's.
      const byCode = await routeCache.lookup(RouteKeys.connection(input.connectionCode), () =>
        deps.connections.findByCode(input.connectionCode),
      );
      const connection = byCode?.tenantId.equals(input.tenantId) ? byCode : null;
      if (!connection) {
        await record(input, 'http', 'FAILED', 'the connection no longer exists');
        throw ApplicationFailure.create({
          type: FailureType.CONNECTION_NOT_FOUND,
          message: `connection ${input.connectionCode} no longer exists`,
          nonRetryable: true,
        });
      }
      if (connection.carrier.type === 'sandbox') {
        await record(input, 'sandbox', 'SENT', null);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
      if (connection.carrier.secretSealed)
        headers.authorization = `Bearer ${deps.secretBox.open(connection.carrier.secretSealed)}`;
      let statusCode: number;
      try {
        const response = await request(connection.carrier.url!, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            id: input.eventId,
            channel: input.channel,
            connection: input.connectionCode,
            from: input.from,
            to: input.contact,
            text: input.text,
          }),
          dispatcher: deps.dispatcher,
          headersTimeout: deps.timeoutMs,
          bodyTimeout: deps.timeoutMs,
          signal: AbortSignal.timeout(deps.timeoutMs),
        });
        statusCode = response.statusCode;
        await response.body.dump({ limit: 64 * 1024 });
      } catch (error) {
        const forbidden = findForbiddenTargetError(error);
        if (forbidden) {
          await record(input, 'http', 'FAILED', forbidden.message);
          throw ApplicationFailure.create({
            type: FailureType.FORBIDDEN_TARGET,
            message: forbidden.message,
            nonRetryable: true,
          });
        }
        log.warn({ err: error }, 'carrier send failed, will retry');
        throw ApplicationFailure.create({
          type: FailureType.NETWORK_ERROR,
          message: `carrier network error: ${(error as Error).message}`,
        });
      }
      if (statusCode >= 200 && statusCode < 300) {
        await record(input, 'http', 'SENT', null);
        return;
      }
      // SPEC section 5: a carrier's 429 and 5xx are retried, every other 4xx is final (408 and
      // 425 too: those retry only for client webhooks, section 4).
      if (statusCode === 429 || statusCode >= 500) {
        throw ApplicationFailure.create({
          type: httpStatusFailureType(statusCode),
          message: `the carrier answered ${statusCode}`,
        });
      }
      await record(input, 'http', 'FAILED', `the carrier answered ${statusCode}`);
      log.warn({ statusCode }, 'carrier refused the message');
      throw ApplicationFailure.create({
        type: httpStatusFailureType(statusCode),
        message: `the carrier answered ${statusCode}`,
        nonRetryable: true,
      });
    },
  };
}
