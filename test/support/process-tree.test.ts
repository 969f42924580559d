/**
 * The "no orphan process" checks (test/deploy/embedded-default, test/e2e/scale-out) read the process table
 * through test/support/process-tree.ts: it must see real children, and fail loudly when it
 * cannot look, never answer "no descendants".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descendantsOf, isAlive, processTable } from './process-tree.js';

const emptyDir = mkdtempSync(join(tmpdir(), 'chathook-no-proc-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

/** A shell with a subshell running sleep: two levels below it, in a process group of their own. */
function spawnTree() {
  const child = spawn('sh', ['-c', '(sleep 30; true) & wait'], { stdio: 'ignore', detached: true });
  return child;
}

async function descendantsWhenTwo(read: () => number[]): Promise<number[]> {
  let found = read();
  for (let tries = 0; found.length < 2 && tries < 50; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    found = read();
  }
  return found;
}

describe('process-tree', () => {
  it('finds a child and its grandchild, through ps and through /proc alike', async () => {
    const child = spawnTree();
    try {
      const viaPs = await descendantsWhenTwo(() => descendantsOf(child.pid!));
      expect(viaPs).toHaveLength(2);
      const viaProc = descendantsOf(child.pid!, { psCommand: 'chathook-no-such-ps' });
      expect(new Set(viaProc)).toEqual(new Set(viaPs));
      expect(descendantsOf(process.pid)).toEqual(expect.arrayContaining([child.pid, ...viaPs]));
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(isAlive(child.pid!)).toBe(false);
  });

  it('throws when neither ps nor /proc can be read, instead of answering no descendants', () => {
    expect(() =>
      descendantsOf(process.pid, { psCommand: 'chathook-no-such-ps', procDir: join(emptyDir, 'missing') }),
    ).toThrow(/cannot list processes/);
    // A readable table that does not hold this very process is no table either.
    expect(() => processTable({ psCommand: 'chathook-no-such-ps', procDir: emptyDir })).toThrow(/not this one/);
  });
});
