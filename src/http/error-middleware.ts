import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ErrorCode } from '../services/errors.js';
import { statusOf } from './error-statuses.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** An error as answered: the status is the code's (error-statuses.ts) unless Express gave its own. */
interface Answer {
  error: AppError;
  status: number;
}

/** Maps every error to `{error:{code,message,...}}`; anything unexpected is a 500 with no internals. */
export const errorMiddleware: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const known = answerOf(error);
  if (known) {
    const { error: appError, status } = known;
    if (appError.retryAfterSeconds !== undefined) res.set('Retry-After', String(appError.retryAfterSeconds));
    res
      .status(status)
      .json({ error: { code: appError.code, message: appError.message, ...appError.details }, ...appError.siblings });
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  res.status(statusOf(ErrorCode.INTERNAL)).json({ error: { code: ErrorCode.INTERNAL, message: 'Internal error' } });
};

const answer = (error: AppError): Answer => ({ error, status: statusOf(error.code) });

function answerOf(error: unknown): Answer | undefined {
  if (error instanceof AppError) return answer(error);
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return answer(new AppError({ code: ErrorCode.INVALID_JSON, message: 'The request body is not valid JSON' }));
    case 'entity.too.large':
      return answer(new AppError({ code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body is over 1 MB' }));
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return answer(new AppError({ code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: 'Send the body as UTF-8 JSON' }));
    case 'request.aborted':
      return answer(new AppError({ code: ErrorCode.REQUEST_ABORTED, message: 'The request was aborted' }));
  }
  // The database or Temporal not answering is an outage, not a bug in the request or in us.
  const name = (error as { name?: string } | null)?.name ?? '';
  if (/^Mongo|^MongooseServerSelectionError$|^ServiceError$|^ConnectionError$/.test(name)) {
    return answer(
      new AppError({ code: ErrorCode.SERVICE_UNAVAILABLE, message: 'A backing service did not answer; retry shortly' }),
    );
  }
  // Infrastructure errors (Express, body-parser) that state their own 4xx are answered with it.
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return {
      error: new AppError({ code: ErrorCode.BAD_REQUEST, message: 'The request could not be read' }),
      status: parserError.status,
    };
  }
  return undefined;
}

/** A body that is not JSON would otherwise reach the handlers as `undefined`. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new AppError({ code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: 'Send the body as application/json' }));
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
      next(
        new AppError({
          code: ErrorCode.METHOD_NOT_ALLOWED,
          message: `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(', ')}`,
        }),
      );
      return;
    }
    next(new AppError({ code: ErrorCode.ROUTE_NOT_FOUND, message: `No route ${req.method} ${req.path}` }));
  };
