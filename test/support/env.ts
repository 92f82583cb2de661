/**
 * Clears environment variables around a test, so that settings exported in a developer's
 * shell (or set by another test) do not change what it sees, and puts them back after.
 */

export interface ClearedEnv {
  /** Sets each variable back to its value before `clearEnv`, or unsets it. */
  restore(): void;
}

export function clearEnv(names: readonly string[]): ClearedEnv {
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  return {
    restore() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
