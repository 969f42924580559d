/**
 * The suites of `npm run bench` after the latency suite (run-all.ts): Temporal actions per
 * message, 10,000 open chats, and one chat of 10,000 messages. Each starts its own embedded
 * stack, so one suite's data does not slow the next.
 */
import { benchChatScale } from './chat-scale.js';
import type { FigureRow } from './load.js';
import { benchLongChat } from './long-chat.js';
import { numberFlag, type BenchSuite, type SuiteContext } from './suite.js';
import { benchTemporalActions, type BenchRow } from './temporal-actions.js';

const asFigureRow = (row: BenchRow): FigureRow => ({ ...row, met: row.met === null ? '—' : row.met ? 'yes' : 'no' });

async function withStack(
  context: SuiteContext,
  env: Record<string, string>,
  run: (stack: Awaited<ReturnType<SuiteContext['startStack']>>) => Promise<BenchRow[]>,
) {
  const stack = await context.startStack({ env });
  try {
    const rows = await run(stack);
    return { rows: rows.map(asFigureRow) };
  } finally {
    await stack.stop();
  }
}

export const actionsSuite: BenchSuite = {
  name: 'actions',
  run: (context) =>
    withStack(context, {}, (stack) =>
      benchTemporalActions(stack, { messages: numberFlag(context, 'action-messages', 10) }),
    ),
};

/** --open-chats N (default 1,000; --full 10,000) --worker-cache N (default: the product's). */
export const chatScaleSuite: BenchSuite = {
  name: 'scale',
  run(context) {
    const openChats = numberFlag(context, 'open-chats', context.full ? 10_000 : 1_000);
    const cache = context.args['worker-cache'];
    const env: Record<string, string> = typeof cache === 'string' ? { WORKER_MAX_CACHED_WORKFLOWS: cache } : {};
    return withStack(context, env, (stack) =>
      benchChatScale(stack, {
        openChats,
        rate: numberFlag(context, 'scale-rate', 10),
        messages: numberFlag(context, 'scale-messages', 200),
      }),
    );
  },
};

/** --long-chat N messages (default 2,000; --full 10,000) --long-in-flight N (default 4). */
export const longChatSuite: BenchSuite = {
  name: 'long-chat',
  run: (context) =>
    withStack(context, {}, (stack) =>
      benchLongChat(stack, {
        messages: numberFlag(context, 'long-chat', context.full ? 10_000 : 2_000),
        inFlight: numberFlag(context, 'long-in-flight', 4),
      }),
    ),
};
