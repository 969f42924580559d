import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Where the process table is read from: `ps` first, then Linux's /proc (tests point these elsewhere). */
export interface ProcessTableSources {
  psCommand?: string;
  procDir?: string;
}

type Row = [pid: number, ppid: number];

function fromPs(command: string): Row[] {
  const listing = execFileSync(command, ['-e', '-o', 'pid=,ppid='], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return listing
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as Row);
}

/** /proc/<pid>/stat is `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last ')'. */
function fromProc(procDir: string): Row[] {
  const rows: Row[] = [];
  for (const entry of readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${procDir}/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we read the table
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    rows.push([Number(entry), ppid]);
  }
  return rows;
}

/**
 * Every (pid, ppid) on the machine. Throws when neither `ps` nor /proc can be read, or when the
 * table read does not even hold this process: an empty answer would make every "no orphan
 * process" check pass without looking.
 */
export function processTable(sources: ProcessTableSources = {}): Row[] {
  const { psCommand = 'ps', procDir = '/proc' } = sources;
  const failures: string[] = [];
  for (const [name, read] of [
    [psCommand, () => fromPs(psCommand)],
    [procDir, () => fromProc(procDir)],
  ] as const) {
    try {
      const rows = read().filter(([pid, ppid]) => Number.isInteger(pid) && Number.isInteger(ppid));
      if (rows.some(([pid]) => pid === process.pid)) return rows;
      failures.push(`${name}: listed ${rows.length} processes, not this one (${process.pid})`);
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`cannot list processes (install procps for ps): ${failures.join('; ')}`);
}

/** Every descendant of `pid` (children, their children, …). Throws when the process table cannot be read. */
export function descendantsOf(pid: number, sources?: ProcessTableSources): number[] {
  const rows = processTable(sources);
  const result: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        result.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return result;
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
