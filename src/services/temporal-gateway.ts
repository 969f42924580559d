// Services reach Temporal only through the gateway; the HTTP layer sees nothing but its type,
// to hand it from the composition root (src/bin) to the services.
export type { TemporalGateway } from '../temporal/gateway.js';
