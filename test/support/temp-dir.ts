import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A directory under the system temp dir that a test owns and removes. */
export interface TempDir {
  readonly path: string;
  /** Writes `content` to `name` (creating parent folders) and returns the file's path. */
  write(name: string, content: string | Uint8Array): string;
  remove(): void;
}

export function createTempDir(): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), 'bucket-classification-test-'));
  return {
    path: dir,
    write(name, content) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh directory for each test of the enclosing `describe`, removed after it:
 * registers the set-up and clean-up, and stands for the current test's directory.
 */
export function useTempDir(): Omit<TempDir, 'remove'> {
  let current: TempDir | undefined;
  beforeEach(() => {
    current = createTempDir();
  });
  afterEach(() => {
    current?.remove();
  });
  const dir = (): TempDir => {
    if (current === undefined) throw new Error('useTempDir: used outside a test');
    return current;
  };
  return {
    get path() {
      return dir().path;
    },
    write: (name, content) => dir().write(name, content),
  };
}
