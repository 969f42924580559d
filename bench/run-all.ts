/**
 * `npm run bench`: every figure of issue 12 in one table, each beside its baseline from the
 * same run, measured on the embedded default as users run it (src/bin/main.ts: Temporal dev
 * server on its file database, FerretDB on SQLite, API + worker).
 *
 *   npm run bench                      # small sizes (about 10 minutes on 2 cores)
 *   npm run bench -- --full            # the sizes the README quotes
 *   npm run bench -- --only latency --seconds 10 --burst 300
 *
 * Flags: --only <suite,…>  --burst N  --concurrency N  --contacts N  --seconds N  --min-count N
 * --opens N  --mt-contacts N  --worker-cache N (WORKER_MAX_CACHED_WORKFLOWS)  --env NAME=VALUE (repeatable)
 * --cpu-prof-dir DIR (profiles of main.ts)  --out FILE (the table and notes as markdown too).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startEmbeddedStack, type BenchStack } from './embedded-stack.js';
import { LATENCY_DEFAULTS, LATENCY_FULL, latencyFigures, type LatencyOptions } from './latency-figures.js';
import { figureTable, type FigureRow } from './load.js';
import { actionsSuite, chatScaleSuite, longChatSuite } from './scale-suites.js';
import { storeSuite } from './store-lookups.js';
import { fairnessSuite } from './fairness.js';
import { numberFlag, type BenchSuite, type Flags, type SuiteContext } from './suite.js';

/** Any `--flag`, so a suite adds flags without touching a list here. */
function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {};
  for (let index = 0; index < argv.length; index++) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(argv[index]!);
    if (!match) throw new Error(`unexpected argument "${argv[index]}" (flags are --name value)`);
    let value: string | true = match[2] ?? true;
    if (value === true && index + 1 < argv.length && !argv[index + 1]!.startsWith('--')) value = argv[++index]!;
    const previous = flags[match[1]!];
    flags[match[1]!] = previous === undefined || previous === true || value === true ? value : [previous, value].flat();
  }
  return flags;
}

const latencySuite: BenchSuite = {
  name: 'latency',
  async run(context) {
    const preset = context.full ? LATENCY_FULL : LATENCY_DEFAULTS;
    const options: LatencyOptions = {
      burst: numberFlag(context, 'burst', preset.burst),
      concurrency: numberFlag(context, 'concurrency', preset.concurrency),
      contacts: numberFlag(context, 'contacts', preset.contacts),
      seconds: numberFlag(context, 'seconds', preset.seconds),
      minCount: numberFlag(context, 'min-count', preset.minCount),
      opens: numberFlag(context, 'opens', preset.opens),
      mtContacts: numberFlag(context, 'mt-contacts', preset.mtContacts),
    };
    const stack = await context.startStack();
    try {
      const result = await latencyFigures(stack, options, context.log);
      context.capacity = result.capacity;
      const memory = await stack.memory();
      const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
      return {
        rows: result.rows,
        notes: [
          ...result.notes,
          `RSS after the latency suite: chathook (API + worker) ${mib(memory.chathookKiB)}, Temporal ${mib(memory.temporalKiB)}, FerretDB ${mib(memory.ferretKiB)}`,
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};

/** In the order they run: the latency suite first, so the others can scale to its measured capacity. */
export const SUITES: BenchSuite[] = [
  latencySuite,
  actionsSuite,
  chatScaleSuite,
  longChatSuite,
  storeSuite,
  fairnessSuite,
];

async function main() {
  const values = parseFlags(process.argv.slice(2));
  const only = typeof values.only === 'string' ? new Set(values.only.split(',')) : undefined;
  const env: Record<string, string> = {};
  for (const pair of [values.env ?? []].flat().filter((value): value is string => typeof value === 'string')) {
    const [name, ...rest] = pair.split('=');
    env[name!] = rest.join('=');
  }
  if (typeof values['worker-cache'] === 'string') env.WORKER_MAX_CACHED_WORKFLOWS = values['worker-cache'];
  const cpuProfDir = typeof values['cpu-prof-dir'] === 'string' ? values['cpu-prof-dir'] : undefined;

  const stacks: Array<{ suite: string; stack: BenchStack }> = [];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let current = '';
  const context: SuiteContext = {
    full: values.full === true,
    args: values,
    capacity: undefined,
    log,
    async startStack(options = {}) {
      const stack = await startEmbeddedStack({
        env: { ...env, ...options.env },
        cpuProfDir,
        productLimits: options.productLimits,
      });
      stacks.push({ suite: current, stack });
      log(
        `[${current}] embedded stack ready in ${(stack.startMs / 1000).toFixed(1)} s${stack.consoleBuiltDuringStart ? ' (it built the console first)' : ''}: ${stack.baseUrl}, data ${stack.dataDir}`,
      );
      return stack;
    },
  };

  const rows: FigureRow[] = [];
  const notes: string[] = [];
  const started = Date.now();
  for (const suite of SUITES) {
    if (only && !only.has(suite.name)) continue;
    current = suite.name;
    log(`[${suite.name}] running`);
    const suiteStarted = Date.now();
    try {
      const result = await suite.run(context);
      rows.push(...result.rows);
      notes.push(...(result.notes ?? []).map((line) => `[${suite.name}] ${line}`));
    } catch (error) {
      rows.push({
        figure: `${suite.name} suite`,
        chathook: `failed: ${(error as Error).message.split('\n')[0]}`,
        baseline: '—',
        target: '—',
        met: 'no',
      });
      log(`[${suite.name}] failed: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    }
    notes.push(`[${suite.name}] took ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s`);
  }

  const first = stacks[0]?.stack;
  const cacheSizes = [
    ...new Set(
      stacks.map(({ suite, stack }) => `${suite}: ${stack.env.WORKER_MAX_CACHED_WORKFLOWS ?? '1000 (default)'}`),
    ),
  ];
  const header = [
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
    `Stack: embedded default (node --import tsx src/bin/main.ts${cpuProfDir ? ' --cpu-prof' : ''}): API + worker in one process; MongoDB engine: ${first?.engine ?? '—'}; Temporal persistence: dev server, SQLite file (--db-filename <dataDir>/temporal.sqlite)`,
    `Worker cache (WORKER_MAX_CACHED_WORKFLOWS): ${cacheSizes.join('; ') || '—'}`,
    `Stack start (spawn to ready): ${stacks.map(({ suite, stack }) => `${suite} ${(stack.startMs / 1000).toFixed(1)} s${stack.consoleBuiltDuringStart ? ' (built the console first)' : ''}`).join('; ') || '—'}`,
    `Command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}; preset ${context.full ? '--full' : 'default (small)'}; extra env ${JSON.stringify(env)}; total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  ];
  const report = [...header, '', figureTable(rows), '', 'Notes:', ...notes.map((line) => `- ${line}`)].join('\n');
  process.stdout.write(`\n${report}\n`);
  if (typeof values.out === 'string') writeFileSync(values.out, `${report}\n`);
}

await main();
// Pools and Temporal connections in this process must not keep it alive after the report.
process.exit(process.exitCode ?? 0);
