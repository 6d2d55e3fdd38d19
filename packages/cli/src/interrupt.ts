/**
 * Ctrl-C handling for long commands: the first SIGINT aborts the returned signal (the work
 * stops at its next safe point and reports what it has); a second one exits at once.
 */
export function abortOnInterrupt(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    onFirst();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}

/** The exit status of a command stopped by SIGINT (128 + 2), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;
