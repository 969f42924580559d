/**
 * Why a delivery was given up, in the receiver's terms rather than Temporal's wrapper: the chat
 * and a replay record it on the delivery (`lastError`). One level down on purpose: a delivery
 * that ran out of DELIVERY_MAX_DURATION fails with a TimeoutFailure whose own cause is only the
 * last attempt's error, and the record must say the time ran out.
 */
export function deliveryFailureReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error && cause.name === 'TimeoutFailure') return 'DELIVERY_MAX_DURATION spent without a successful attempt';
  return cause instanceof Error ? cause.message : String(cause);
}
