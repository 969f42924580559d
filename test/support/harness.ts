import { randomBytes } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { parseConfig, type Config } from '../../src/platform/config.js';
import { createTenant } from '../../src/services/tenants.js';
import { startApi, type RunningApi } from '../../src/http/server.js';
import { createLogger } from '../../src/platform/logger.js';
import { appDepsOf, openRuntime, type Runtime } from '../../src/bin/runtime.js';
import { createModels, type Models } from '../../src/db/models.js';
import { startWorker, type RunningWorker } from '../../src/temporal/worker.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestApp {
  baseUrl: string;
  /**
   * The environment this app was configured from: a worker process started with it joins the same queue and database.
   */
  env: Record<string, string>;
  temporalAddress: string;
  runtime: Runtime;
  /**
   * The collections themselves, for tests that look at (or plant) what is stored; the app reaches them through its
   * repositories.
   */
  models: Models;
  config: Config;
  api: RunningApi;
  worker: RunningWorker | undefined;
  /** A fresh tenant with its own API key. */
  tenant(name?: string): Promise<{ id: string; apiKey: string; client: ApiClient }>;
  /**
   * A connection provisioned by the operator (root key) for a tenant, as `http` connections are:
   * the create response, with its `carrierSecret`. Throws unless 201.
   */
  provisionConnection(tenantId: string, connection: ConnectionInput): Promise<ProvisionedConnection>;
  close(): Promise<void>;
}

export interface ConnectionInput {
  code: string;
  channel: 'SMS' | 'WHATSAPP';
  senders: string[];
  carrier: { type: 'http'; url: string; secret?: string } | { type: 'sandbox' };
}

/** A connection as its create response shows it: the carrier secret is in no other answer. */
export interface ProvisionedConnection {
  code: string;
  channel: 'SMS' | 'WHATSAPP';
  senders: string[];
  carrierSecret: string;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiClient {
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  delete<T = any>(path: string): Promise<ApiResponse<T>>;
  raw(path: string, init: RequestInit): Promise<ApiResponse>;
}

export function apiClient(baseUrl: string, token?: string): ApiClient {
  const raw = async (path: string, init: RequestInit): Promise<ApiResponse> => {
    const headers = new Headers(init.headers);
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the test sees the text.
    }
    return { status: response.status, body, headers: response.headers };
  };
  const send = (method: string) => (path: string, body?: unknown) =>
    raw(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    get: (path) => raw(path, { method: 'GET' }),
    post: send('POST'),
    put: send('PUT'),
    delete: send('DELETE'),
    raw,
  };
}

/**
 * The real API (and, when asked, the real worker) against the run's Temporal server and a
 * database of its own, so every test file starts clean.
 */
export async function startTestApp(
  options: {
    worker?: boolean;
    env?: Record<string, string>;
    lifecycleWaitMs?: number;
    chatUpdateWaitMs?: number;
    /** Where the API's and the worker's log lines go (stdout when left out): a test reads what they wrote. */
    logStream?: DestinationStream;
    /** Servers of the test's own, which it may stop and start again, instead of the run's shared ones. */
    servers?: { temporalAddress?: string; mongoUri?: string };
  } = {},
): Promise<TestApp> {
  const database = `t_${randomBytes(6).toString('hex')}`;
  const mongoUri = (options.servers?.mongoUri ?? inject('mongoUri')).replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
  const temporalAddress = options.servers?.temporalAddress ?? inject('temporalAddress');
  const encryptionKey = randomBytes(32);
  const taskQueue = `chathook-${database}`;
  const env = {
    CHATHOOK_ADMIN_KEY: ADMIN_KEY,
    CHATHOOK_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MONGODB_URI: mongoUri,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const config = parseConfig(env);
  const logger = createLogger(config.logLevel, options.logStream);
  const runtime = await openRuntime(
    config,
    logger,
    { mongodbUri: mongoUri, temporalAddress, encryptionKey },
    { chatUpdateWaitMs: options.chatUpdateWaitMs },
  );
  const worker = options.worker ? await startWorker(runtime, temporalAddress) : undefined;
  const api = await startApi(appDepsOf(runtime, { lifecycleWaitMs: options.lifecycleWaitMs }), 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${api.port}`;
  return {
    baseUrl,
    env,
    temporalAddress,
    runtime,
    models: createModels(runtime.db),
    config,
    api,
    worker,
    async tenant(name = 'Acme') {
      const created = await createTenant(runtime.repositories, { name });
      return { id: created.id, apiKey: created.apiKey, client: apiClient(baseUrl, created.apiKey) };
    },
    async provisionConnection(tenantId, connection) {
      const response = await apiClient(baseUrl, ADMIN_KEY).post(`/v1/tenants/${tenantId}/connections`, connection);
      if (response.status !== 201)
        throw new Error(`connection ${connection.code}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body as ProvisionedConnection;
    },
    async close() {
      await api.close();
      await worker?.shutdown();
      await runtime.db.dropDatabase();
      await runtime.close();
    },
  };
}
