/**
 * moto for a bench section, started the way the integration tests' global setup
 * starts it (scripts/python-env.sh sets up the Python environment on first use),
 * and stopped when the section is done, whatever happens.
 */
import {
  isConflictingAwsEnvVar,
  type MotoServer,
  motoEnv,
  startMotoServer,
} from '../../test/support/moto-server';
import type { BenchContext } from '../section';

/** The environment of a process that talks to `endpoint` and nowhere else. */
export function envFor(endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !isConflictingAwsEnvVar(name)),
  );
  return { ...env, ...motoEnv(endpoint), AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export async function withMoto<T>(
  ctx: BenchContext,
  use: (moto: MotoServer) => Promise<T>,
): Promise<T> {
  ctx.log('starting moto (a first run sets up .venv, about a minute)');
  const moto = await startMotoServer({ readyTimeoutMs: 60_000 });
  try {
    return await use(moto);
  } finally {
    await moto.stop();
  }
}
