/**
 * One periodic sweep of checkBucketTags, run to the end in this process, as a
 * warm Lambda container would run it: the handler module is loaded once, Config's
 * scheduled event is handed to it, and every continuation it hands to Lambda is
 * taken by a local stand-in for Lambda's Invoke and handed back to the handler,
 * until a part ends the sweep. Prints `{ seconds, parts, evaluations, nonCompliant }`.
 *
 * Run by bench/moto/sweep.ts with the event on stdin and the handler's settings in
 * the environment (AWS_ENDPOINT_URL: moto, or a counting proxy in front of it).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** checkBucketTags' timeout in serverless.yml: each part gets that long. */
const FUNCTION_TIMEOUT_MS = 300_000;
/** The function's own bound on a sweep's parts (lib/sweep-continuation.ts). */
const MAX_PARTS = 1000;

interface Outcome {
  readonly evaluations: number;
  readonly nonCompliant: number;
  readonly sweep?: { readonly part: number; readonly handedOver: boolean };
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function main(): Promise<void> {
  const event: unknown = JSON.parse(await readStdin());
  const handedOver: unknown[] = [];
  const lambda = createServer((request, response) => {
    void (async () => {
      let text = '';
      for await (const chunk of request) text += chunk;
      handedOver.push(JSON.parse(text));
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end();
    })();
  });
  lambda.listen(0, '127.0.0.1');
  await once(lambda, 'listening');
  process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;

  const { handler } = require('../../handlers/check-bucket-tags') as {
    handler: (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<Outcome>;
  };
  const invoke = (next: unknown): Promise<Outcome> => {
    const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
    return handler(next, { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) });
  };

  const started = process.hrtime.bigint();
  const outcomes = [await invoke(event)];
  while (handedOver.length > 0) {
    if (outcomes.length >= MAX_PARTS)
      throw new Error(`the sweep did not end in ${MAX_PARTS} parts`);
    outcomes.push(await invoke(handedOver.shift()));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  lambda.close();
  const last = outcomes[outcomes.length - 1] as Outcome;
  if (last.sweep?.handedOver !== false) {
    throw new Error(`the last part did not end the sweep: ${JSON.stringify(last)}`);
  }
  process.stdout.write(
    JSON.stringify({
      seconds,
      parts: outcomes.length,
      evaluations: outcomes.reduce((sum, o) => sum + o.evaluations, 0),
      nonCompliant: outcomes.reduce((sum, o) => sum + o.nonCompliant, 0),
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
