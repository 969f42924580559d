/** The chaos table and the figures behind it, as Markdown. */
import type { ChurnResult } from './churn-runner.js';
import type { ScenarioResult } from './scenario-runner.js';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const kib = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

function drainCell(result: ScenarioResult): string {
  if (result.error) return `error: ${result.error}`;
  if (result.drainMs === undefined) return `not drained in ${result.drainDeadlineMs / 1000} s`;
  return `${(result.drainMs / 1000).toFixed(1)} s`;
}

function duplicatesCell(result: ScenarioResult): string {
  const duplicates = result.ledger?.duplicates ?? [];
  if (duplicates.length === 0) return '0';
  const distinctIds = duplicates.filter((duplicate) => !duplicate.sameWebhookId).length;
  return distinctIds === 0
    ? `${duplicates.length} (same webhook-id)`
    : `${duplicates.length} (${distinctIds} with different webhook-ids)`;
}

export function chaosTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | sent | accepted (202) | delivered once | duplicates | lost | time to drain |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const result of results) {
    const ledger = result.ledger;
    lines.push(
      `| ${result.scenario} | ${ledger?.sent ?? '–'} | ${ledger?.accepted ?? '–'} | ${ledger?.deliveredOnce ?? '–'} | ${duplicatesCell(result)} | ${ledger?.lost.length ?? '–'} | ${drainCell(result)} |`,
    );
  }
  return lines.join('\n');
}

/** What each row went through: the answers the carrier got, what chathook lists, history and memory. */
export function chaosDetails(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | rate | carrier answers (202 / 429 / 503 / other / error) | never accepted | delivered w/o 202 | order violations | listed PENDING / SUCCEEDED / FAILED | largest history (events, largest event) | WF task failures | peak RSS api / worker / temporal / db | unexpected exits |',
    '| --- | ---: | --- | ---: | ---: | ---: | --- | --- | ---: | --- | ---: |',
  ];
  for (const result of results) {
    const tally = result.tally;
    const ledger = result.ledger;
    const history = result.history;
    const largest = history?.largest;
    lines.push(
      [
        '',
        result.scenario,
        `${result.ratePerSecond.toFixed(1)}/s`,
        tally
          ? `${tally.accepted} / ${tally.backlog429} / ${tally.unavailable503} / ${tally.otherStatus} / ${tally.errors}`
          : '–',
        ledger ? String(ledger.sent - ledger.accepted) : '–',
        ledger ? String(ledger.deliveredWithoutAcceptance) : '–',
        ledger ? String(ledger.orderViolations) : '–',
        result.listed ? `${result.listed.PENDING} / ${result.listed.SUCCEEDED} / ${result.listed.FAILED}` : '–',
        largest
          ? `${kib(largest.historyBytes)} (${largest.historyEvents} events, ${kib(history.largestEventBytes)})`
          : '–',
        history ? String(history.workflowTaskFailures) : '–',
        result.rss
          ? `${mib(result.rss.api)} / ${mib(result.rss.worker)} / ${mib(result.rss.temporal)} / ${mib(result.rss.database)}`
          : '–',
        String(result.unexpectedExits.length),
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  const largest = results
    .flatMap((result) =>
      result.history?.largest
        ? [
            {
              scenario: result.scenario,
              ...result.history.largest,
              largestEventBytes: result.history.largestEventBytes,
            },
          ]
        : [],
    )
    .sort((a, b) => b.historyBytes - a.historyBytes)[0];
  if (largest) {
    lines.push(
      '',
      `Largest workflow history for one chat run: ${kib(largest.historyBytes)}, ${largest.historyEvents} events (${largest.type} ${largest.workflowId}, ${largest.status}, scenario ${largest.scenario}); its largest event ${kib(largest.largestEventBytes)}.`,
    );
  }
  for (const result of results) {
    const distinct = result.ledger?.duplicates.filter((duplicate) => !duplicate.sameWebhookId) ?? [];
    for (const duplicate of distinct.slice(0, 5)) {
      lines.push(
        `- ${result.scenario}: ${duplicate.messageId} delivered under ${duplicate.deliveries.map((delivery) => `${delivery.webhookId}×${delivery.count}`).join(', ')}`,
      );
    }
    const lost = result.ledger?.lost ?? [];
    if (lost.length > 0) lines.push(`- ${result.scenario}: lost ${lost.length}, e.g. ${lost.slice(0, 5).join(', ')}`);
    for (const exit of result.unexpectedExits)
      lines.push(`- ${result.scenario}: unexpected exit of ${exit} (restarted after 1 s)`);
  }
  return lines.join('\n');
}

/** The churn rows: the message ledger, the replies, the faults that fired, and the seed that replays the run. */
export function churnTable(results: readonly ChurnResult[]): string {
  const lines = [
    '| scenario | seed | sent | accepted (202) | delivered once | lost | duplicates | order violations | delivered w/o 202 | replies accepted / sent once / again (same id) | ENDs accepted | kills | outages | violations | time to drain |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const result of results) {
    const ledger = result.ledger;
    const replies = result.churn?.replies;
    lines.push(
      `| ${result.scenario} | ${result.seed} | ${ledger?.sent ?? '–'} | ${ledger?.accepted ?? '–'} | ${ledger?.deliveredOnce ?? '–'} | ${ledger?.lost.length ?? '–'} | ${duplicatesCell(result)} | ${ledger?.orderViolations ?? '–'} | ${ledger?.deliveredWithoutAcceptance ?? '–'} | ${replies ? `${replies.accepted} / ${replies.sentOnce} / ${replies.sentAgainSameId}` : '–'} | ${result.churn?.endsAccepted ?? '–'} | ${result.faultsFired.workerKills} | ${result.faultsFired.receiverOutages} | ${result.violations.length} | ${drainCell(result)} |`,
    );
  }
  for (const result of results) {
    if (result.steps)
      lines.push(
        '',
        `Steps of seed ${result.seed}: ${Object.entries(result.steps)
          .map(([step, count]) => `${step} ${count}`)
          .join(', ')}.`,
      );
    for (const violation of result.violations) lines.push(`- seed ${result.seed}: ${violation}`);
  }
  return lines.join('\n');
}
