import type { Logger } from './logger.js';

/**
 * Runs the cleanup steps once, in order, on SIGINT/SIGTERM; a second signal forces exit.
 * Steps are registered as things start so a half-started process still cleans up.
 */
export function createShutdown(logger: Logger) {
  const steps: Array<{ name: string; run: () => Promise<void> }> = [];
  let running: Promise<void> | undefined;
  const shutdown = (reason: string, exitCode = 0) => {
    running ??= (async () => {
      logger.info({ reason }, 'shutting down');
      for (const step of [...steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      process.exit(exitCode);
    })();
    return running;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (running) {
        logger.warn('second signal: exiting now');
        process.exit(1);
      }
      void shutdown(signal);
    });
  }
  return {
    add(name: string, run: () => Promise<void>) {
      steps.push({ name, run });
    },
    shutdown,
  };
}
