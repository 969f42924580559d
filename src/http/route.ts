/**
 * One declaration per operation: the same object registers the Express handler, validates the
 * request with its zod schemas and publishes the operation in the OpenAPI document. A route
 * cannot be served without being documented, nor documented with a schema it does not enforce.
 */
import { OpenAPIRegistry, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { requireJsonBody } from './error-middleware.js';
import { z } from 'zod';
import { ErrorCode } from '../domain/error-catalogue.js';
import { ERROR_HEADERS, statusOf } from './error-statuses.js';
import { ErrorBodySchema } from './response-schemas.js';
import { parseInput } from './validation.js';
import { RATE_LIMITED_MEANING } from './rate-limits.js';

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

export interface RouteSpec<
  P extends z.ZodObject | undefined,
  Q extends z.ZodObject | undefined,
  B extends z.ZodType | undefined,
> {
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
  /** What the operation answers when it succeeds (and any other answer that is not an error code's). */
  responses: Record<number, Reply>;
  /**
   * The error codes the operation answers with besides those every operation of its kind shares
   * (see `commonErrors`), each published under its code's status (error-statuses.ts).
   */
  errors?: ErrorReply[];
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

export const json = (schema: z.ZodType, description: string, headers?: Record<string, string>): Reply => ({
  schema,
  description,
  headers,
});

/** An error code an operation answers with, what it means there, and its body when that is more than `{error}`. */
export interface ErrorReply {
  code: ErrorCode;
  meaning?: string | undefined;
  schema?: z.ZodType | undefined;
}

export const errorReply = (code: ErrorCode, meaning?: string, schema?: z.ZodType): ErrorReply => ({
  code,
  meaning,
  schema,
});

const AUTH_MEANING: Record<Exclude<RouteAuth, 'none'>, string> = {
  tenantKey: 'missing or unknown API key',
  rootKey: 'missing or wrong root key',
  responseToken: 'missing or unknown response token',
  carrierSecret: 'missing or wrong carrier secret, or unknown connection code',
  metricsToken: 'METRICS_TOKEN is set and the bearer token does not match it',
};

/** Reads a JSON body (after the guard): anything else is 415, over 1 MB 413, malformed 400 INVALID_JSON. */
const JSON_BODY: RequestHandler[] = [
  requireJsonBody,
  express.json({ limit: '1mb', strict: true, type: ['application/json', 'application/*+json'] }),
];

type AnySpec = RouteSpec<z.ZodObject | undefined, z.ZodObject | undefined, z.ZodType | undefined>;

/**
 * The errors an operation answers because of its shape, not its domain, stated once here: before
 * the operation's own (input, auth, body) and after them (a rate limit, whether limits are on or
 * not). An operation that declares one of these codes itself says what it means there.
 */
function commonErrors(spec: AnySpec): { before: ErrorReply[]; after: ErrorReply[] } {
  const before: ErrorReply[] = [];
  if (spec.body || spec.query || spec.params)
    before.push(errorReply(ErrorCode.VALIDATION_ERROR, 'each bad field by path'), errorReply(ErrorCode.INVALID_JSON));
  if (spec.auth !== 'none') before.push(errorReply(ErrorCode.UNAUTHORIZED, AUTH_MEANING[spec.auth]));
  if (spec.body)
    before.push(
      errorReply(ErrorCode.PAYLOAD_TOO_LARGE, 'the body is over 1 MB'),
      errorReply(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'send application/json'),
    );
  const after =
    spec.auth === 'tenantKey' || spec.auth === 'responseToken'
      ? [errorReply(ErrorCode.RATE_LIMITED, RATE_LIMITED_MEANING)]
      : [];
  return { before, after };
}

/** The operation's errors, filed by their codes' statuses: one reply per status, listing each code. */
function errorRepliesOf(spec: AnySpec): Record<number, Reply> {
  const own = spec.errors ?? [];
  const declared = new Set(own.map(({ code }) => code));
  const { before, after } = commonErrors(spec);
  const byStatus = new Map<number, ErrorReply[]>();
  for (const error of [
    ...before.filter(({ code }) => !declared.has(code)),
    ...own,
    ...after.filter(({ code }) => !declared.has(code)),
  ]) {
    const status = statusOf(error.code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), error]);
  }
  const replies: Record<number, Reply> = {};
  for (const [status, errors] of byStatus) {
    const schemas = [...new Set(errors.flatMap(({ schema }) => (schema ? [schema] : [])))];
    if (schemas.length > 1)
      throw new Error(
        `${spec.method.toUpperCase()} ${spec.path}: the errors of status ${status} declare different bodies`,
      );
    const headers = Object.assign({}, ...errors.map(({ code }) => ERROR_HEADERS[code]).reverse()) as Record<
      string,
      string
    >;
    replies[status] = {
      schema: schemas[0] ?? ErrorBodySchema,
      description: errors.map(({ code, meaning }) => (meaning ? `${code}: ${meaning}` : code)).join(' / '),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    };
  }
  return replies;
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
    config.headers = Object.fromEntries(
      Object.entries(reply.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
    );
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
   * `guards` authenticate every kind of caller before the body is read or any input parsed
   * (tenant key, root key, response token, carrier secret, metrics token).
   */
  constructor(private readonly guards: Partial<Record<RouteAuth, RequestHandler>> = {}) {
    this.registry.registerComponent('securitySchemes', 'tenantKey', {
      type: 'http',
      scheme: 'bearer',
      description: "the tenant's API key",
    });
    this.registry.registerComponent('securitySchemes', 'rootKey', {
      type: 'http',
      scheme: 'bearer',
      description: "the operator's root key (CHATHOOK_ADMIN_KEY)",
    });
    this.registry.registerComponent('securitySchemes', 'responseToken', {
      type: 'http',
      scheme: 'bearer',
      description: "the integration's response token",
    });
    this.registry.registerComponent('securitySchemes', 'carrierSecret', {
      type: 'http',
      scheme: 'bearer',
      description: "the connection's carrier secret",
    });
    this.registry.registerComponent('securitySchemes', 'metricsToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'METRICS_TOKEN, when set',
    });
  }

  route<
    P extends z.ZodObject | undefined = undefined,
    Q extends z.ZodObject | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
  >(spec: RouteSpec<P, Q, B>, handler: (input: RouteInput<P, Q, B>) => Promise<void> | void): void {
    this.rememberMethod(spec.method, spec.path);
    if (!spec.hidden) this.registry.registerPath(this.routeConfigOf(spec));
    const guard = this.guards[spec.auth];
    const guards = guard ? [guard] : [];
    // The caller is authenticated first, then the body read: a stranger's body is never parsed.
    this.router[spec.method](spec.path, ...guards, ...JSON_BODY, async (req: Request, res: Response) => {
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

  private routeConfigOf(spec: AnySpec): RouteConfig {
    const errors = errorRepliesOf(spec);
    const clash = Object.keys(spec.responses).filter((status) => status in errors);
    if (clash.length > 0)
      throw new Error(
        `${spec.method.toUpperCase()} ${spec.path}: status ${clash.join(', ')} is both a response and an error code's`,
      );
    const replies = { ...spec.responses, ...errors };
    const config: RouteConfig = {
      method: spec.method,
      path: toOpenApiPath(spec.path),
      tags: [spec.tag],
      summary: spec.summary,
      responses: Object.fromEntries(
        Object.entries(replies).map(([status, reply]) => [status, responseConfigOf(reply)]),
      ),
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
