import { InvokeCommand, LambdaClient, LogType } from '@aws-sdk/client-lambda';

/** What a synchronous invocation answered. */
export interface Invocation {
  /** HTTP status of the Invoke call (200 for a synchronous invocation that ran). */
  readonly statusCode: number | undefined;
  /** Set when the function threw or timed out (`Unhandled`, `Handled`). */
  readonly functionError: string | undefined;
  /** What the function returned (or its error document), as text. */
  readonly payload: string;
  /** The last 4 KB of the invocation's log. */
  readonly logTail: string | undefined;
}

/** Port: runs a function once and waits for its answer. */
export interface FunctionInvoker {
  invoke(functionName: string, event: unknown): Promise<Invocation>;
}

/**
 * Lambda `Invoke` with `InvocationType: RequestResponse` and `LogType: Tail`: the
 * call returns when the function has finished, with what it returned and the end
 * of its log. Errors of the call itself (function not found, access denied) are
 * thrown as the SDK raises them, named by `name`.
 */
export class LambdaFunctionInvoker implements FunctionInvoker {
  constructor(private readonly client: LambdaClient = new LambdaClient({})) {}

  async invoke(functionName: string, event: unknown): Promise<Invocation> {
    const output = await this.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        LogType: LogType.Tail,
        Payload: Buffer.from(JSON.stringify(event), 'utf8'),
      }),
    );
    return {
      statusCode: output.StatusCode,
      functionError: output.FunctionError,
      payload: output.Payload ? Buffer.from(output.Payload).toString('utf8') : '',
      logTail: output.LogResult
        ? Buffer.from(output.LogResult, 'base64').toString('utf8')
        : undefined,
    };
  }
}
