// Prints vitest's JSON report as the plain last line a CI log is read for, "N passed, M failed", and exits
// non-zero unless tests ran and none failed. vitest's own summary ("Tests  N passed (N)") has another shape.
// It runs after vitest whatever vitest's exit, so a failing run ends with its count too.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'test-results/vitest.json';
if (!existsSync(path)) {
  // vitest ended before writing a report (a crash, a config error): nothing ran that can be counted.
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
// A suite that fails in its set-up can leave every test of it unmarked: count it as one failure.
const failed = Math.max(report.numFailedTests, report.numFailedTestSuites);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (report.numTotalTests === 0 || failed > 0 || report.success === false) process.exitCode = 1;
