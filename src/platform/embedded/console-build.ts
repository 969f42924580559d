/**
 * Builds the web console (console/ → console/dist) when the build is missing or older than
 * its sources. `npm start` and the browser tests call it, so a fresh clone needs no extra step.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CONSOLE_DIR = join(ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

/** What the bundle is made of: the console itself and the pure server modules it imports. */
const SOURCES = [
  'console/src',
  'console/index.html',
  'console/vite.config.ts',
  'src/domain',
  'src/http/response-schemas.ts',
  'package-lock.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

export function consoleBuildIsFresh(): boolean {
  const index = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return SOURCES.every((source) => newestMtime(join(ROOT, source)) <= built);
}

function viteCli(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

export type ConsoleBuildOutcome = 'fresh' | 'built' | 'unavailable';

/**
 * Vite runs in a child process (its own memory, and no interference with a Vite already
 * loaded by the caller, e.g. vitest). It writes to a temporary folder that then replaces
 * dist, so a server never serves a half-written build.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = () => {}): Promise<ConsoleBuildOutcome> {
  if (consoleBuildIsFresh()) return 'fresh';
  const cli = viteCli();
  if (!cli) {
    // A production install (npm ci --omit=dev) has no Vite: the console must be built beforehand.
    log(
      'console: Vite is not installed, the console cannot be built here (run npm run build:console where dev dependencies are installed)',
    );
    return 'unavailable';
  }
  log('console: building console/dist (missing or older than its sources)');
  const outDir = join(CONSOLE_DIR, `.dist-${process.pid}-${Date.now()}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [cli, 'build', CONSOLE_DIR, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
        {
          cwd: ROOT,
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`the console build failed (vite exited with ${code})`)),
      );
    });
    rmSync(CONSOLE_DIST, { recursive: true, force: true });
    renameSync(outDir, CONSOLE_DIST);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return 'built';
}
