import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SweepError } from './errors';

/** Port: hands the rest of a sweep to a fresh invocation. */
export interface SweepHandover {
  handOver(event: Readonly<Record<string, unknown>>): Promise<void>;
}

/** Lambda takes at most 256 KB for an asynchronous invocation's payload. */
export const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;

/**
 * Lambda `Invoke` of the function itself, asynchronously (`InvocationType:
 * Event`): the call returns once Lambda has queued the event, and Lambda retries
 * the new invocation if it fails, as it does for Config's own.
 */
export class LambdaSweepHandover implements SweepHandover {
  constructor(
    private readonly functionName: string,
    private readonly client: LambdaClient = new LambdaClient({}),
  ) {}

  async handOver(event: Readonly<Record<string, unknown>>): Promise<void> {
    const payload = Buffer.from(JSON.stringify(event), 'utf8');
    if (payload.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new SweepError(
        `sweep continuation for ${this.functionName} is ${payload.byteLength} bytes; an asynchronous invocation takes at most ${MAX_ASYNC_PAYLOAD_BYTES}`,
      );
    }
    const output = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: payload,
      }),
    );
    if (output.StatusCode !== 202) {
      throw new SweepError(
        `Lambda did not queue the sweep continuation for ${this.functionName} (status ${output.StatusCode})`,
      );
    }
  }
}
