import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

/** Every worker child still running, so a test's afterAll can kill what a failure left behind. */
export const runningWorkers = new Set<ChildProcess>();

/**
 * The production worker entry point (`src/bin/worker-main.ts`) in its own process, so a test can
 * SIGKILL or SIGTERM it for real; resolves once it polls, rejects if it exits first.
 */
export function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/worker-main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runningWorkers.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => {
      runningWorkers.delete(child);
      resolve({ code, at: Date.now() });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not running in 60 s:\n${output}`)), 60_000);
    const check = setInterval(() => {
      if (output.includes('chathook worker running')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    }, 50);
    void exited.then(({ code }) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
}
