import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../../../src/services/errors.js';
import { errorOfRefusal } from '../../../src/services/workflow-refusals.js';
import { FailureType } from '../../../workflows/contract/failures.js';

const unlisted = () => new AppError({ code: ErrorCode.CHAT_UNAVAILABLE, message: 'not listed' });
const rejection = (type: string, details: unknown[] = []) => ({ type, message: `refused: ${type}`, details });

describe('errorOfRefusal: one mapping from workflow refusals to error codes', () => {
  it("keeps a reply refusal's code and the chat's own message", () => {
    for (const [type, code] of [
      [FailureType.CHAT_NOT_FOUND, ErrorCode.CHAT_NOT_FOUND],
      [FailureType.WINDOW_CLOSED, ErrorCode.WINDOW_CLOSED],
      [FailureType.UNKNOWN_SENDER, ErrorCode.UNKNOWN_SENDER],
    ] as const) {
      expect(errorOfRefusal('reply', rejection(type), unlisted)).toMatchObject({ code, message: `refused: ${type}` });
    }
  });

  it('answers a full chat, MO or MT, CHAT_BACKLOG with a Retry-After', () => {
    for (const message of ['inbound', 'reply'] as const) {
      expect(errorOfRefusal(message, rejection(FailureType.CHAT_BACKLOG), unlisted)).toMatchObject({
        code: ErrorCode.CHAT_BACKLOG,
        retryAfterSeconds: 5,
      });
    }
  });

  it('answers an integration gone during its start NOT_FOUND', () => {
    expect(errorOfRefusal('lifecycle', rejection(FailureType.NOT_FOUND), unlisted)).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      message: 'Integration not found',
    });
  });

  it('leaves a refusal its message does not list to the caller (the contract was not kept)', () => {
    expect(errorOfRefusal('inbound', rejection(FailureType.WINDOW_CLOSED), unlisted).message).toBe('not listed');
    expect(errorOfRefusal('reply', rejection(FailureType.NOT_FOUND), unlisted).message).toBe('not listed');
    expect(errorOfRefusal('lifecycle', rejection('constructor'), unlisted).message).toBe('not listed');
  });
});
