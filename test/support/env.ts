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

/**
 * Loads a module afresh, as a Lambda cold start does, with exactly these variables among
 * `names` (and the region set, the logger silent), and puts the environment back after.
 *
 * @param modulePath an absolute path (`require.resolve` it in the test).
 */
export function coldStart(
  modulePath: string,
  names: readonly string[],
  env: Readonly<Record<string, string>>,
): unknown {
  const cleared = clearEnv([...names, 'AWS_REGION', 'POWERTOOLS_LOG_LEVEL']);
  Object.assign(process.env, { AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' }, env);
  try {
    let loaded: unknown;
    jest.isolateModules(() => {
      loaded = require(modulePath);
    });
    return loaded;
  } finally {
    cleared.restore();
  }
}
