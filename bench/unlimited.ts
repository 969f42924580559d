/**
 * A bench measures what the service can carry: the per-tenant rate limits are off and the quotas
 * out of reach (a load run is one tenant doing what many would), unless the run's env sets them.
 */
export const UNLIMITED_ENV: Record<string, string> = {
  RATE_LIMIT_MANAGEMENT_PER_MINUTE: '',
  RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE: '',
  RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE: '',
  RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE: '',
  QUOTA_INTEGRATIONS: '1000000000',
  QUOTA_CONNECTIONS: '1000000000',
  QUOTA_SENDERS_PER_CONNECTION: '1000000000',
  QUOTA_RESERVATIONS: '1000000000',
  QUOTA_CAMPAIGNS: '1000000000',
  QUOTA_TEMPLATE_BYTES: '1000000000',
};
