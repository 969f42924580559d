/**
 * The scenarios recorded before chat sessions: chats on the frozen `chatLifecycleWorkflow`
 * (started as the gateway started them then), integration activation and stop, and replays of
 * deliveries those chats recorded. Their files are committed; running these again is only for
 * checking the recorder (into another directory) or for re-recording on purpose.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { openChatSearchAttributes } from '../../src/temporal/search-attributes.js';
import {
  WorkflowType,
  chatWorkflowId,
  inboundUpdateId,
  receiveInboundUpdate,
  type ChatLifecycleWorkflow,
  type ChatParties,
  type ChatSettings,
} from '../../workflows/contract.js';
import { LEGACY_SETTINGS, TASK_QUEUE, chatParties, inboundMessage, type Recording, type Scenario } from './recording.js';

/** A chat on chatLifecycleWorkflow: update-with-start as the gateway did it before chat sessions. */
function legacyChat(recording: Recording, name: string, channel: ChatParties['channel'] = 'SMS', settings: ChatSettings = LEGACY_SETTINGS) {
  const { client } = recording;
  const chat = chatParties(name, channel);
  const workflowId = chatWorkflowId(chat.integrationId, chat.contact);
  const gateway = recording.gateway(settings);
  let sequence = 0;
  const inbound = (text: string, messageId = `${name}-${(sequence += 1)}`) => {
    const message = inboundMessage(chat, text, messageId);
    const startWorkflowOperation = new WithStartWorkflowOperation<ChatLifecycleWorkflow>(WorkflowType.LEGACY_CHAT, {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [{ ...chat, settings }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: openChatSearchAttributes(chat),
    });
    return client.workflow.executeUpdateWithStart(receiveInboundUpdate, {
      args: [message],
      updateId: inboundUpdateId(chat.integrationId, message.connectionCode, message.messageId),
      startWorkflowOperation,
    });
  };
  const reply = (text: string) => gateway.sendReply(chat.integrationId, chat.contact, { type: 'MESSAGE', channel, connectionCode: chat.connectionCode, from: chat.sender, text });
  const end = () => gateway.sendReply(chat.integrationId, chat.contact, { type: 'END' });
  return { inbound, reply, end, handle: () => client.workflow.getHandle(workflowId) };
}

export const LEGACY_SCENARIOS: Scenario[] = [
  {
    // One MO delivered, then the client ends the chat.
    name: 'chat-mo-end',
    server: 'dev',
    async run(recording) {
      const chat = legacyChat(recording, 'chat-mo-end');
      await chat.inbound('hello');
      await recording.standIns.until('deliver MESSAGE hello');
      await chat.end();
      await chat.handle().result();
      await recording.save('chat-mo-end', chat.handle());
    },
  },
  {
    // Several MOs (one a carrier retry, one whose delivery fails), replies (one failing), END.
    name: 'chat-mo-mt',
    server: 'dev',
    async run(recording) {
      const chat = legacyChat(recording, 'chat-mo-mt', 'WHATSAPP');
      await chat.inbound('one', 'busy-1');
      await chat.inbound('one', 'busy-1');
      await chat.inbound('fail');
      await chat.inbound('three');
      await chat.reply('answer');
      await chat.reply('fail');
      await recording.standIns.until('deliver MESSAGE three');
      await recording.standIns.until('send fail');
      await chat.inbound('four');
      await chat.reply('last');
      await chat.end();
      await chat.handle().result();
      await recording.save('chat-mo-mt', chat.handle());
    },
  },
  {
    // A long chat: continue-as-new every 3 accepted messages, queues carried across runs.
    name: 'chat-continue-as-new',
    server: 'dev',
    async run(recording) {
      const chat = legacyChat(recording, 'chat-continue-as-new', 'SMS', { ...LEGACY_SETTINGS, maxMessagesPerRun: 3 });
      for (let index = 1; index <= 7; index += 1) {
        await chat.inbound(`m${index}`);
        if (index === 4) await chat.reply('between runs');
      }
      await recording.standIns.until('deliver MESSAGE m7');
      await chat.end();
      await chat.handle().result();
      await recording.save('chat-continue-as-new', chat.handle());
    },
  },
  {
    // Activation with one connection claimed and one in use; activation of a deleted integration.
    name: 'integration-activation',
    server: 'dev',
    async run({ client, save }) {
      const activation = await client.workflow.start(WorkflowType.ACTIVATION, {
        workflowId: 'integration-activation-recorded',
        taskQueue: TASK_QUEUE,
        args: [{ tenantId: '65f000000000000000000001', integrationId: '65f0000000000000000000a2' }],
      });
      await activation.result();
      await save('integration-activation-partial', activation);
      const gone = await client.workflow.start(WorkflowType.ACTIVATION, {
        workflowId: 'integration-activation-gone',
        taskQueue: TASK_QUEUE,
        args: [{ tenantId: '65f000000000000000000001', integrationId: 'gone' }],
      });
      await gone.result().catch(() => undefined);
      await save('integration-activation-gone', gone);
    },
  },
  {
    // Stop: done, and refused while linked campaigns are live.
    name: 'integration-deactivation',
    server: 'dev',
    async run({ client, save }) {
      for (const [name, integrationId] of [['integration-deactivation', '65f0000000000000000000a3'], ['integration-deactivation-live', 'live']] as const) {
        const stop = await client.workflow.start(WorkflowType.DEACTIVATION, { workflowId: name, taskQueue: TASK_QUEUE, args: [{ tenantId: '65f000000000000000000001', integrationId }] });
        await stop.result().catch(() => undefined);
        await save(name, stop);
      }
    },
  },
  {
    // Replays of deliveries legacy chats recorded: one delivered, one that fails for good.
    name: 'delivery-replay',
    server: 'dev',
    async run({ client, save }) {
      for (const [name, text] of [['delivery-replay', 'again'], ['delivery-replay-failed', 'fail']] as const) {
        const event = { event: 'MESSAGE', chatId: 'c', contact: '5491100000002', channel: 'SMS', text, multimedia: { url: null, caption: null }, sender: '5491100000001', timestamp: '2025-01-01T00:00:00.000Z' };
        const replay = await client.workflow.start(WorkflowType.DELIVERY_REPLAY, {
          workflowId: name,
          taskQueue: TASK_QUEUE,
          args: [{ delivery: { tenantId: '65f000000000000000000001', integrationId: '65f0000000000000000000a1', deliveryId: `msg_${name}`, event, createdAt: '2025-01-01T00:00:00.000Z' }, settings: LEGACY_SETTINGS }],
        });
        await replay.result();
        await save(name, replay);
      }
    },
  },
  {
    // A legacy chat closed as idle (24 hours skipped).
    name: 'chat-idle-close',
    server: 'time-skipping',
    async run(recording) {
      const chat = legacyChat(recording, 'chat-idle-close', 'WHATSAPP');
      await chat.inbound('anyone there?');
      await chat.reply('yes');
      // result() lets the server skip time up to the idle timer.
      await chat.handle().result();
      await recording.save('chat-idle-close', chat.handle());
    },
  },
];
