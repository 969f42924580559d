import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../services/errors.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps every error to `{error:{code,message,...}}`; anything unexpected is a 500 with no internals. */
export const errorMiddleware: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const known = toAppError(error);
  if (known) {
    res.set(known.headers);
    res.status(known.status).json({ error: { code: known.code, message: known.message, ...known.details }, ...known.siblings });
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error' } });
};

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'INVALID_JSON', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is over 1 MB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON');
    case 'request.aborted':
      return new AppError(400, 'REQUEST_ABORTED', 'The request was aborted');
  }
  // The database or Temporal not answering is an outage, not a bug in the request or in us.
  const name = (error as { name?: string } | null)?.name ?? '';
  if (/^Mongo|^MongooseServerSelectionError$|^ServiceError$|^ConnectionError$/.test(name)) {
    return new AppError(503, 'SERVICE_UNAVAILABLE', 'A backing service did not answer; retry shortly');
  }
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new AppError(parserError.status, 'BAD_REQUEST', 'The request could not be read');
  }
  return undefined;
}

/** A body that is not JSON would otherwise reach the handlers as `undefined`. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'));
    return;
  }
  next();
};

/** A path that exists under another method is a 405 with `Allow`; anything else is a 404. */
export const unmatchedRoute =
  (routes: { allowedMethodsOf(path: string): string[] | undefined }): RequestHandler =>
  (req, res, next) => {
    const allowed = routes.allowedMethodsOf(req.path);
    if (allowed) {
      res.setHeader('Allow', allowed.join(', '));
      next(new AppError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(', ')}`));
      return;
    }
    next(new AppError(404, 'ROUTE_NOT_FOUND', `No route ${req.method} ${req.path}`));
  };
