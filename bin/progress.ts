import type { ReadHooks } from './read-inputs';

const INTERVAL_MS = 500;
/** Files smaller than this finish before a progress line would help. */
const MIN_SIZE = 8 * 1024 * 1024;

export interface Progress {
  readonly hooks: ReadHooks;
  /** Erases the progress line so other messages start on a clean line. */
  clear(): void;
}

/** A progress line on stderr for large inputs, only when stderr is a terminal. */
export function createProgress(
  write: (text: string) => void,
  isTty: boolean,
  now: () => number = Date.now,
): Progress {
  let shown = false;
  let last = 0;
  const clear = (): void => {
    if (shown) write('\r\u001b[2K');
    shown = false;
  };
  if (!isTty) return { hooks: {}, clear };
  return {
    clear,
    hooks: {
      onProgress(file, bytesRead, size) {
        const time = now();
        if (size === undefined || size < MIN_SIZE || time - last < INTERVAL_MS) return;
        last = time;
        const percent = Math.min(100, Math.floor((bytesRead / size) * 100));
        write(`\r\u001b[2K${file}: ${percent}% of ${(size / 1024 / 1024).toFixed(0)} MiB`);
        shown = true;
      },
    },
  };
}
