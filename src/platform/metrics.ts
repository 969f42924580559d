import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process (API, worker, or both in the embedded default). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'chathook_http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'chathook_webhook_deliveries_total',
      help: 'Client webhook deliveries finished, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'chathook_webhook_delivery_attempts_total',
      help: 'Client webhook attempts, by outcome (succeeded, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'chathook_webhook_delivery_seconds',
      help: 'Duration of client webhook attempts that got an answer',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    chatUnavailable: new Counter({
      name: 'chathook_chat_unavailable_total',
      help: "MOs and MTs answered 503 because their chat did not take them: update_timeout (the chat's update did not complete in time: no worker, or a workflow task failing), temporal_error (Temporal refused or could not be reached), rejected (a failure the contract does not map)",
      labelNames: ['reason', 'operation'] as const,
      registers: [registry],
    }),
    // Per command and collection: where the embedded engine's time goes (FerretDB/SQLite scans
    // anything but an _id look-up or an insert), read beside Temporal's own metrics.
    dbCommands: new Histogram({
      name: 'chathook_db_command_seconds',
      help: 'Database commands, by command and collection (failed ones with outcome=failed)',
      labelNames: ['command', 'collection', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    openChats: new Gauge({
      name: 'chathook_open_chats',
      help: 'Chats open (read model)',
      registers: [registry],
    }),
  };
}

export type ChathookMetrics = ReturnType<typeof createMetrics>;
