import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseDuration } from '../../../src/platform/config.js';
import { chatSettingsOf } from '../../../src/temporal/gateway.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '5', '1.5h', '-5s', '0s', '5 minutes', '10w'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow();
  });
});

describe('parseConfig', () => {
  it('applies the SPEC defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicBaseUrl: undefined,
      dataDir: './.chathook',
      temporal: { address: undefined, namespace: 'default' },
      mongodbUri: undefined,
      webhookAllowPrivate: false,
      whatsappSessionWindowMs: 86_400_000,
      chatIdleTimeoutMs: 86_400_000,
      chatMessagesPerRun: 1_000,
      chatMaxPending: 1_000,
      delivery: { maxDurationMs: 86_400_000, retryInitialMs: 5_000, retryMaxIntervalMs: 3_600_000, timeoutMs: 10_000 },
    });
  });

  it('parses flags as exactly "true" or "false"', () => {
    expect(parseConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(parseConfig({ WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
    expect(() => parseConfig({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE/);
  });

  it('accepts the encryption key as hex or base64 and refuses other lengths', () => {
    const key = Buffer.alloc(32, 7);
    expect(parseConfig({ CHATHOOK_ENCRYPTION_KEY: key.toString('hex') }).encryptionKey).toEqual(key);
    expect(parseConfig({ CHATHOOK_ENCRYPTION_KEY: key.toString('base64') }).encryptionKey).toEqual(key);
    expect(() => parseConfig({ CHATHOOK_ENCRYPTION_KEY: 'short' })).toThrow(/CHATHOOK_ENCRYPTION_KEY/);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      parseConfig({
        PORT: 'eighty',
        CHAT_IDLE_TIMEOUT: '1 day',
        MONGODB_URI: 'postgres://x',
        PUBLIC_BASE_URL: 'ftp://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'CHAT_IDLE_TIMEOUT', 'MONGODB_URI', 'PUBLIC_BASE_URL']) expect(message).toContain(name);
  });

  it('reads CHAT_MAX_PENDING as a whole number from 1 to 100,000 (the chat settings carry it)', () => {
    expect(parseConfig({ CHAT_MAX_PENDING: '3' }).chatMaxPending).toBe(3);
    expect(parseConfig({ CHAT_MAX_PENDING: '100000' }).chatMaxPending).toBe(100_000);
    expect(chatSettingsOf(parseConfig({ CHAT_MAX_PENDING: '25' })).maxPendingDeliveries).toBe(25);
    for (const bad of ['0', '100001', '2.5', 'many'])
      expect(() => parseConfig({ CHAT_MAX_PENDING: bad })).toThrow(/CHAT_MAX_PENDING/);
  });

  it('reads the quotas, with defaults', () => {
    expect(parseConfig({}).quotas).toEqual({
      integrations: 100,
      connections: 100,
      sendersPerConnection: 20,
      reservations: 1_000,
      campaigns: 1_000,
      templateBytes: 4 * 1024 * 1024,
    });
    expect(parseConfig({ QUOTA_INTEGRATIONS: '5', QUOTA_CAMPAIGNS: '0' }).quotas).toMatchObject({
      integrations: 5,
      campaigns: 0,
    });
    for (const bad of ['-1', '2.5', 'many'])
      expect(() => parseConfig({ QUOTA_CONNECTIONS: bad })).toThrow(/QUOTA_CONNECTIONS/);
  });

  it('reads the rate limits as calls a minute, on by default, off when empty', () => {
    expect(parseConfig({}).rateLimits).toEqual({
      managementPerMinute: 3_000,
      responseWebhookPerMinute: 6_000,
      replaysPerDeliveryPerMinute: 10,
      replaysPerIntegrationPerMinute: 120,
    });
    expect(
      parseConfig({
        RATE_LIMIT_MANAGEMENT_PER_MINUTE: '',
        RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE: ' ',
        RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE: '',
        RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE: '',
      }).rateLimits,
    ).toEqual({
      managementPerMinute: undefined,
      responseWebhookPerMinute: undefined,
      replaysPerDeliveryPerMinute: undefined,
      replaysPerIntegrationPerMinute: undefined,
    });
    expect(
      parseConfig({ RATE_LIMIT_MANAGEMENT_PER_MINUTE: '600', RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE: '120' })
        .rateLimits,
    ).toMatchObject({
      managementPerMinute: 600,
      responseWebhookPerMinute: 120,
    });
    for (const bad of ['0', '-1', '2.5', 'lots', '10000000']) {
      expect(() => parseConfig({ RATE_LIMIT_MANAGEMENT_PER_MINUTE: bad })).toThrow(/RATE_LIMIT_MANAGEMENT_PER_MINUTE/);
      expect(() => parseConfig({ RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE: bad })).toThrow(
        /RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE/,
      );
    }
  });

  it('refuses a retry initial interval above the maximum', () => {
    expect(() => parseConfig({ DELIVERY_RETRY_INITIAL: '2h', DELIVERY_RETRY_MAX_INTERVAL: '1h' })).toThrow(
      /DELIVERY_RETRY_INITIAL/,
    );
  });
});
