/**
 * Chat sessions (`chatSessionWorkflow`, the outbox) and series replays, started the way the API
 * starts them (the gateway's update-with-start, its replay start). Files are named `session-…`
 * so they can be recorded beside the committed histories without touching them:
 *
 *   node --import tsx scripts/record-workflow-histories.ts --only session-
 *
 * Each scenario checks that it went as its histories are meant to show (a retry timer, a run
 * ending during a backoff, a message for the next chat), so a recording never silently lacks
 * the branch it is there for.
 */
import type { InboundOutcome, ReplyOutcome } from '../../src/temporal/gateway.js';
import type { InboundAccepted } from '../../workflows/contract/chat-messages.js';
import type { ChatParties, ChatSettings } from '../../workflows/contract/chat-session.js';
import { FailureType } from '../../workflows/contract/failures.js';
import { WorkflowType, chatWorkflowId, deliveryReplayWorkflowId } from '../../workflows/contract/ids.js';
import { DUPLICATE_OF, DUPLICATE_TEXT, SLOW_ACCEPT_TEXT } from './stand-in-activities.js';
import {
  SESSION_SETTINGS,
  chatParties,
  expectThat,
  inboundMessage,
  type Recording,
  type Scenario,
} from './recording.js';

function accepted(outcome: InboundOutcome): InboundAccepted {
  if (outcome.kind !== 'ACCEPTED')
    throw new Error(`expected the message to be accepted, got ${JSON.stringify(outcome)}`);
  return outcome.accepted;
}

function replied(outcome: ReplyOutcome): void {
  expectThat(outcome.kind === 'ACCEPTED', 'the reply to be accepted', outcome);
}

/** A chat session, through the gateway exactly as the carrier inbound and reply routes use it. */
function sessionChat(
  recording: Recording,
  name: string,
  channel: ChatParties['channel'] = 'SMS',
  settings: ChatSettings = SESSION_SETTINGS,
) {
  const chat = chatParties(name, channel);
  const gateway = recording.gateway(settings);
  const workflowId = chatWorkflowId(chat.integrationId, chat.contact);
  let sequence = 0;
  return {
    chat,
    inboundOutcome: (text: string, messageId = `${name}-${(sequence += 1)}`) =>
      gateway.deliverInbound(chat, inboundMessage(chat, text, messageId)),
    inbound: async (text: string, messageId = `${name}-${(sequence += 1)}`) =>
      accepted(await gateway.deliverInbound(chat, inboundMessage(chat, text, messageId))),
    reply: async (text: string) =>
      replied(
        await gateway.sendReply(chat.integrationId, chat.contact, {
          type: 'MESSAGE',
          channel,
          connectionCode: chat.connectionCode,
          from: chat.sender,
          text,
        }),
      ),
    end: async () => replied(await gateway.sendReply(chat.integrationId, chat.contact, { type: 'END' })),
    /** Waits for the chat (and any chat it continued as new into) to complete, then saves every run. */
    async finish(): Promise<number> {
      const handle = recording.client.workflow.getHandle(workflowId);
      await handle.result();
      const described = await handle.describe();
      expectThat(described.type === WorkflowType.CHAT, `a ${WorkflowType.CHAT}`, described.type);
      return recording.save(name, handle);
    },
  };
}

export const SESSION_SCENARIOS: Scenario[] = [
  {
    // MO delivered, MT sent, END delivered.
    name: 'session-mo-mt-end',
    server: 'dev',
    async run(recording) {
      const chat = sessionChat(recording, 'session-mo-mt-end');
      await chat.inbound('hello');
      await recording.standIns.until('attempt hello 1');
      await chat.reply('hi, how can we help?');
      await recording.standIns.until('send hi, how can we help?');
      await chat.end();
      await chat.finish();
    },
  },
  {
    // Attempt series: retried twice on durable timers then delivered, failed for good, delivered
    // but handed back for the workflow to record, and given up when DELIVERY_MAX_DURATION is spent.
    name: 'session-delivery-outcomes',
    server: 'dev',
    async run(recording) {
      const chat = sessionChat(recording, 'session-delivery-outcomes', 'SMS', {
        ...SESSION_SETTINGS,
        deliveryMaxDurationMs: 3_500,
      });
      for (const text of ['retry', 'fail', 'record', 'never']) await chat.inbound(text);
      await recording.standIns.until('attempt retry 3');
      await recording.standIns.until('record attempt record 1');
      await recording.standIns.until('given up never');
      await chat.end();
      await chat.finish();
    },
  },
  {
    // Continue-as-new after 3 messages while the first delivery waits 4 s to retry: the run ends
    // during the backoff (not awaiting it) and the next run resumes the series at attempt 2.
    name: 'session-continue-as-new',
    server: 'dev',
    async run(recording) {
      const { standIns } = recording;
      const chat = sessionChat(recording, 'session-continue-as-new', 'SMS', {
        ...SESSION_SETTINGS,
        maxMessagesPerRun: 3,
      });
      await chat.inbound('slow');
      await standIns.until('attempt slow 1');
      await chat.reply('between runs');
      await chat.inbound('m2');
      await chat.inbound('m3');
      await chat.inbound('m4');
      await standIns.until('attempt m4 1');
      const index = (line: string) => standIns.log.indexOf(line);
      expectThat(
        index('attempt slow 2') < index('attempt m2 1'),
        'the carried series to go on before the next delivery',
        standIns.log,
      );
      await chat.end();
      const runs = await chat.finish();
      expectThat(runs >= 2, 'the chat to continue as new', runs);
    },
  },
  {
    // An MO while the chat closes (END queued, its delivery waiting to retry) is taken for the
    // contact's next chat; once END is delivered, the workflow continues as new as that chat.
    name: 'session-closing-next-chat',
    server: 'dev',
    async run(recording) {
      const { standIns } = recording;
      const chat = sessionChat(recording, 'session-closing-next-chat');
      standIns.endScripts.set(chat.chat.contact, 'slow');
      const first = await chat.inbound('hello');
      await standIns.until('attempt hello 1');
      await chat.end();
      await standIns.until('attempt END 1');
      const next = await chat.inbound('are you still there?');
      expectThat(next.chatId !== first.chatId && !next.duplicate, 'a new chatId for the message after END', {
        first: first.chatId,
        next,
      });
      await standIns.until('attempt are you still there? 1');
      expectThat(
        standIns.log.indexOf('attempt END 2') < standIns.log.indexOf('attempt are you still there? 1'),
        'the END to be delivered first',
        standIns.log,
      );
      await chat.end();
      const runs = await chat.finish();
      expectThat(runs === 2, 'two runs: the closed chat and the next one', runs);
    },
  },
  {
    // The hand-over with a handler in flight: END went out and the read model is closing when a
    // message comes whose rows take longer than the close; the run seals, waits for that handler,
    // and continues as new as the next chat with the message queued there.
    name: 'session-hand-over-in-flight',
    server: 'dev',
    async run(recording) {
      const { standIns } = recording;
      const chat = sessionChat(recording, 'session-hand-over-in-flight');
      standIns.closeDelayMs = 500;
      const first = await chat.inbound('hello');
      await standIns.until('attempt hello 1');
      await chat.end();
      await standIns.until('close started');
      const late = await chat.inbound(SLOW_ACCEPT_TEXT);
      expectThat(late.chatId !== first.chatId && !late.duplicate, 'the late message in the next chat', {
        first: first.chatId,
        late,
      });
      expectThat(
        standIns.log.indexOf('closed') < standIns.log.indexOf(`attempt ${SLOW_ACCEPT_TEXT} 1`) ||
          !standIns.log.includes(`attempt ${SLOW_ACCEPT_TEXT} 1`),
        'the close before the next chat',
        standIns.log,
      );
      await standIns.until(`attempt ${SLOW_ACCEPT_TEXT} 1`);
      standIns.closeDelayMs = 0;
      await chat.end();
      const runs = await chat.finish();
      expectThat(runs === 2, 'two runs: the closed chat and the next one', runs);
    },
  },
  {
    // A duplicate answered with the chat that first accepted the message; past CHAT_MAX_PENDING
    // a message is refused (CHAT_BACKLOG) and taken when the carrier retries after the drain.
    name: 'session-backlog-duplicate',
    server: 'dev',
    async run(recording) {
      const { standIns } = recording;
      const chat = sessionChat(recording, 'session-backlog-duplicate', 'WHATSAPP', {
        ...SESSION_SETTINGS,
        maxPendingDeliveries: 2,
      });
      const duplicate = await chat.inbound(DUPLICATE_TEXT);
      expectThat(
        duplicate.duplicate && duplicate.chatId === DUPLICATE_OF.chatId,
        'the first chat of a duplicate',
        duplicate,
      );
      await chat.inbound('slow');
      await standIns.until('attempt slow 1');
      await chat.inbound('second');
      const refused = await chat.inboundOutcome('third', 'session-backlog-third');
      expectThat(
        refused.kind === 'REJECTED' && refused.rejection.type === FailureType.CHAT_BACKLOG,
        'CHAT_BACKLOG',
        refused,
      );
      await standIns.until('attempt second 1');
      await chat.inbound('third', 'session-backlog-third');
      await standIns.until('attempt third 1');
      await chat.end();
      await chat.finish();
    },
  },
  {
    // A replay of a chat session's delivery: series 1, retried then delivered.
    name: 'session-delivery-replay-series',
    server: 'dev',
    async run(recording) {
      const deliveryId = 'msg_sessionreplayseries';
      recording.standIns.deliveryScripts.set(deliveryId, 'retry');
      const event = {
        event: 'MESSAGE' as const,
        chatId: 'c',
        contact: '5491100000002',
        channel: 'SMS' as const,
        text: 'again',
        multimedia: { url: null, caption: null },
        sender: '5491100000001',
        timestamp: '2025-01-01T00:00:00.000Z',
      };
      const started = await recording.gateway(SESSION_SETTINGS).startDeliveryReplay(
        {
          tenantId: '65f000000000000000000001',
          integrationId: '65f0000000000000000000a1',
          deliveryId,
          event,
          createdAt: '2025-01-01T00:00:00.000Z',
        },
        1,
      );
      expectThat(started.kind === 'STARTED', 'the replay to start', started);
      const handle = recording.client.workflow.getHandle(deliveryReplayWorkflowId(deliveryId));
      await handle.result();
      expectThat(recording.standIns.log.includes(`attempt ${deliveryId} 3`), 'three attempts', recording.standIns.log);
      await recording.save('session-delivery-replay-series', handle);
    },
  },
  {
    // A chat session closed as idle (24 hours skipped), with a delivery retried on a timer.
    name: 'session-idle-close',
    server: 'time-skipping',
    async run(recording) {
      const chat = sessionChat(recording, 'session-idle-close', 'WHATSAPP');
      await chat.inbound('retry');
      await chat.reply('yes');
      // result() lets the server skip time up to the idle timer.
      await chat.finish();
      expectThat(
        recording.standIns.log.includes('record END'),
        'the chat to close (END recorded)',
        recording.standIns.log,
      );
    },
  },
];
