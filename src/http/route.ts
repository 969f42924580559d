/**
 * One declaration per operation: the same object registers the Express handler, validates the
 * request with its zod schemas and publishes the operation in the OpenAPI document. A route
 * cannot be served without being documented, nor documented with a schema it does not enforce.
 */
import { OpenAPIRegistry, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ErrorBodySchema } from './response-schemas.js';
import { parseInput } from './validation.js';
import { RATE_LIMITED_REPLY } from './rate-limits.js';

export type RouteAuth = 'tenantKey' | 'rootKey' | 'responseToken' | 'carrierSecret' | 'metricsToken' | 'none';
type Method = 'get' | 'post' | 'put' | 'delete';

export interface Reply {
  description: string;
  schema?: z.ZodType;
  /** A non-JSON body (metrics text, HTML, JavaScript). */
  contentType?: string;
  /** Response headers the client can rely on (`Retry-After`, `Location`, …), name → description. */
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined> {
  method: Method;
  /** Express notation (`:id`); published as `{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  params?: P;
  query?: Q;
  body?: B;
  /** Statuses the operation answers besides those every operation of its kind shares (see `commonReplies`). */
  responses: Record<number, Reply>;
  /** Left out of the document (pages for people, such as /docs assets). */
  hidden?: boolean;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  req: Request;
  res: Response;
}

export const json = (schema: z.ZodType, description: string, headers?: Record<string, string>): Reply => ({ schema, description, headers });
export const problem = (description: string, headers?: Record<string, string>): Reply => ({ schema: ErrorBodySchema, description, headers });

const AUTH_REPLY: Record<Exclude<RouteAuth, 'none'>, string> = {
  tenantKey: 'UNAUTHORIZED: missing or unknown API key',
  rootKey: 'UNAUTHORIZED: missing or wrong root key',
  responseToken: 'UNAUTHORIZED: missing or unknown response token',
  carrierSecret: 'UNAUTHORIZED: missing or wrong carrier secret, or unknown connection code',
  metricsToken: 'UNAUTHORIZED: METRICS_TOKEN is set and the bearer token does not match it',
};

/** The statuses an operation answers because of its shape, not its domain: stated once here. */
function commonReplies(spec: RouteSpec<z.ZodObject | undefined, z.ZodObject | undefined, z.ZodType | undefined>): Record<number, Reply> {
  const replies: Record<number, Reply> = {};
  if (spec.body || spec.query || spec.params) replies[400] = problem('VALIDATION_ERROR (each bad field by path) or INVALID_JSON');
  if (spec.auth !== 'none') replies[401] = problem(AUTH_REPLY[spec.auth]);
  if (spec.body) {
    replies[413] = problem('PAYLOAD_TOO_LARGE: the body is over 1 MB');
    replies[415] = problem('UNSUPPORTED_MEDIA_TYPE: send application/json');
  }
  return replies;
}

/** Operations a rate limit can apply to (rate-limits.ts) declare its 429 beside their own, whether limits are on or not. */
function withRateLimitReply(auth: RouteAuth, replies: Record<number, Reply>): Record<number, Reply> {
  if (auth !== 'tenantKey' && auth !== 'responseToken') return replies;
  const own = replies[429];
  const description = own ? `${own.description} Or ${RATE_LIMITED_REPLY}` : RATE_LIMITED_REPLY;
  return { ...replies, 429: problem(description, { 'Retry-After': 'seconds to wait before calling again', ...own?.headers }) };
}

const SECURITY: Record<Exclude<RouteAuth, 'none'>, string> = {
  tenantKey: 'tenantKey',
  rootKey: 'rootKey',
  responseToken: 'responseToken',
  carrierSecret: 'carrierSecret',
  metricsToken: 'metricsToken',
};

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function responseConfigOf(reply: Reply): ResponseConfig {
  const config: ResponseConfig = { description: reply.description };
  if (reply.schema) config.content = { [reply.contentType ?? 'application/json']: { schema: reply.schema } };
  else if (reply.contentType) config.content = { [reply.contentType]: { schema: { type: 'string' } } };
  if (reply.headers) {
    config.headers = Object.fromEntries(Object.entries(reply.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  }
  return config;
}

/**
 * The API's routes and their document. Routers receive this and call `route()`; `app.ts` mounts
 * `router` and serves `document()`; `allowedMethodsOf` answers 405 for a path that exists.
 */
export class ApiRoutes {
  readonly router = Router();
  readonly registry = new OpenAPIRegistry();
  private readonly patterns: { regex: RegExp; methods: Set<string> }[] = [];

  /**
   * `guards` authenticate the kinds of caller that are checked before parsing (tenant key, root
   * key, carrier secret, metrics token). Response tokens are checked by their service, because
   * the token also selects the integration.
   */
  constructor(private readonly guards: Partial<Record<RouteAuth, RequestHandler>> = {}) {
    this.registry.registerComponent('securitySchemes', 'tenantKey', { type: 'http', scheme: 'bearer', description: "the tenant's API key" });
    this.registry.registerComponent('securitySchemes', 'rootKey', { type: 'http', scheme: 'bearer', description: "the operator's root key (CHATHOOK_ADMIN_KEY)" });
    this.registry.registerComponent('securitySchemes', 'responseToken', { type: 'http', scheme: 'bearer', description: "the integration's response token" });
    this.registry.registerComponent('securitySchemes', 'carrierSecret', { type: 'http', scheme: 'bearer', description: "the connection's carrier secret" });
    this.registry.registerComponent('securitySchemes', 'metricsToken', { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set' });
  }

  route<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>) => Promise<void> | void,
  ): void {
    this.rememberMethod(spec.method, spec.path);
    if (!spec.hidden) this.registry.registerPath(this.routeConfigOf(spec));
    const guard = this.guards[spec.auth];
    const guards = guard ? [guard] : [];
    this.router[spec.method](spec.path, ...guards, async (req: Request, res: Response) => {
      // Params and query first: a bad id and a bad body are reported together only when both are read.
      const params = (spec.params ? parseInput(spec.params, req.params, ['path']) : undefined) as Parsed<P>;
      const query = (spec.query ? parseInput(spec.query, req.query, ['query']) : undefined) as Parsed<Q>;
      const body = (spec.body ? parseInput(spec.body, req.body) : undefined) as Parsed<B>;
      await handler({ params, query, body, req, res });
    });
  }

  /** The methods a path has (for `405` with `Allow`), or undefined when no route has that path. */
  allowedMethodsOf(path: string): string[] | undefined {
    const methods = new Set<string>();
    for (const pattern of this.patterns) {
      if (pattern.regex.test(path)) for (const method of pattern.methods) methods.add(method);
    }
    if (methods.size === 0) return undefined;
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  private rememberMethod(method: Method, path: string): void {
    const source = `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}/?$`;
    let pattern = this.patterns.find((existing) => existing.regex.source === new RegExp(source).source);
    if (!pattern) {
      pattern = { regex: new RegExp(source), methods: new Set() };
      this.patterns.push(pattern);
    }
    pattern.methods.add(method.toUpperCase());
  }

  private routeConfigOf(spec: RouteSpec<z.ZodObject | undefined, z.ZodObject | undefined, z.ZodType | undefined>): RouteConfig {
    const replies = withRateLimitReply(spec.auth, { ...commonReplies(spec), ...spec.responses });
    const config: RouteConfig = {
      method: spec.method,
      path: toOpenApiPath(spec.path),
      tags: [spec.tag],
      summary: spec.summary,
      responses: Object.fromEntries(Object.entries(replies).map(([status, reply]) => [status, responseConfigOf(reply)])),
    };
    if (spec.description) config.description = spec.description;
    if (spec.auth !== 'none') config.security = [{ [SECURITY[spec.auth]]: [] }];
    const request: NonNullable<RouteConfig['request']> = {};
    if (spec.params) request.params = spec.params;
    if (spec.query) request.query = spec.query;
    if (spec.body) request.body = { required: true, content: { 'application/json': { schema: spec.body } } };
    if (Object.keys(request).length > 0) config.request = request;
    return config;
  }
}
