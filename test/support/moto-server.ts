/**
 * Runs moto (a local AWS emulator) in server mode for integration tests.
 *
 * The Python environment comes from scripts/python-env.sh (project-local .venv), so the
 * only host requirement is python3 with the venv module.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const host = '127.0.0.1';
const stderrTailBytes = 4096;

export const motoRegion = 'us-east-1';
/** The account moto puts every resource in when a request names none. */
export const motoAccountId = '123456789012';
export const motoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface MotoServer {
  /** `http://127.0.0.1:<port>`; an IP host makes the S3 client use path-style addressing. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** How long to wait for moto to answer HTTP after spawning it. Default 30 s. */
  readyTimeoutMs?: number;
}

/** Config for an SDK v3 client constructor: `new S3Client(motoClientConfig(endpoint))`. */
export function motoClientConfig(endpoint: string): {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { region: motoRegion, endpoint, credentials: { ...motoCredentials } };
}

/** Environment that makes SDK v3 clients built with no options talk to moto. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: motoRegion,
    AWS_DEFAULT_REGION: motoRegion,
    AWS_ACCESS_KEY_ID: motoCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: motoCredentials.secretAccessKey,
  };
}

/**
 * Variables that would override or bypass motoEnv(): a session token or profile would mix
 * real credentials in, and the service-specific or "ignore" variables would send requests
 * somewhere other than AWS_ENDPOINT_URL.
 */
export function isConflictingAwsEnvVar(name: string): boolean {
  return (
    name === 'AWS_SESSION_TOKEN' ||
    name === 'AWS_PROFILE' ||
    name === 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS' ||
    name.startsWith('AWS_ENDPOINT_URL_')
  );
}

/**
 * Wipes all state in the server (every service, every account). Tests running in parallel
 * share one server, so call this only where no other test file can be using it.
 */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) {
    throw new Error(`moto reset failed: HTTP ${response.status} ${await response.text()}`);
  }
}

/** Runs scripts/python-env.sh; its output (only on a first or changed install) goes to stderr. */
export async function ensurePythonEnv(): Promise<void> {
  const child = spawn('bash', [path.join(repoRoot, 'scripts', 'python-env.sh')], {
    cwd: repoRoot,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) {
    throw new Error(`scripts/python-env.sh failed (${signal ?? `exit code ${code}`})`);
  }
}

export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  await ensurePythonEnv();
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  // The free port is released before moto binds it, so another process can take it in
  // between; retry with a new port when that is why moto died.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnMoto(await findFreePort(), readyTimeoutMs);
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 3) {
        throw error;
      }
    }
  }
}

class PortInUseError extends Error {}

async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') {
    throw new Error(`unexpected server address: ${String(address)}`);
  }
  return address.port;
}

async function spawnMoto(port: number, readyTimeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://${host}:${port}`;
  // moto's server with DynamoDB requests taken one at a time: moto's DynamoDB is not
  // safe across threads (see scripts/moto_server.py).
  const child = spawn(
    path.join(repoRoot, '.venv', 'bin', 'python'),
    [path.join(repoRoot, 'scripts', 'moto_server.py'), '-H', host, '-p', String(port)],
    {
      cwd: repoRoot,
      // stdout is unused; stderr carries moto's startup messages, request log and tracebacks.
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    },
  );

  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-stderrTailBytes);
  });

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  child.once('error', (error) => {
    spawnError = error;
  });

  // If the test process dies without running stop(), do not leave moto behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const fail = async (reason: string): Promise<never> => {
    process.removeListener('exit', killOnExit);
    await killAndWait(child, exited, () => exit !== undefined);
    const tail = stderrTail.trim();
    const message = `moto_server on ${endpoint} ${reason}${tail ? `\n--- moto stderr (tail) ---\n${tail}` : ''}`;
    throw /Address already in use/i.test(tail) ? new PortInUseError(message) : new Error(message);
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError) {
      return fail(`could not be started: ${spawnError.message}`);
    }
    if (exit) {
      return fail(`exited before answering (${exit.signal ?? `exit code ${exit.code}`})`);
    }
    if (await answersHttp(endpoint)) {
      break;
    }
    if (Date.now() > deadline) {
      return fail(`did not answer HTTP within ${readyTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    endpoint,
    port,
    async stop() {
      process.removeListener('exit', killOnExit);
      await killAndWait(child, exited, () => exit !== undefined);
    },
  };
}

async function answersHttp(endpoint: string): Promise<boolean> {
  try {
    // Any HTTP status means the server is up.
    await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

async function killAndWait(
  child: ChildProcess,
  exited: Promise<void>,
  hasExited: () => boolean,
): Promise<void> {
  if (hasExited() || child.pid === undefined) {
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
