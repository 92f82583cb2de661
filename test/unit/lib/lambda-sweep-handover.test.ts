import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SweepError } from '../../../lib/errors';
import { LambdaSweepHandover } from '../../../lib/lambda-sweep-handover';
import { awsError } from '../../support/aws-errors';

describe('LambdaSweepHandover', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());
  afterAll(() => lambda.restore());

  const event = { resultToken: 't', sweepContinuation: { part: 2 } };

  it('invokes the function itself asynchronously with the event as JSON', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    await new LambdaSweepHandover('check-bucket-tags', new LambdaClient({})).handOver(event);

    const [call] = lambda.commandCalls(InvokeCommand);
    const input = call?.args[0].input;
    expect(input?.FunctionName).toBe('check-bucket-tags');
    expect(input?.InvocationType).toBe('Event');
    expect(JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString('utf8'))).toEqual(event);
  });

  it('fails when Lambda does not say it queued the event', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });

    const handover = new LambdaSweepHandover('check-bucket-tags', new LambdaClient({}));

    await expect(handover.handOver(event)).rejects.toThrow(SweepError);
    await expect(handover.handOver(event)).rejects.toThrow(
      'Lambda did not queue the sweep continuation for check-bucket-tags (status 200)',
    );
  });

  it('lets an error from Lambda fail the handover', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException'));

    const handover = new LambdaSweepHandover(
      'check-bucket-tags',
      new LambdaClient({ maxAttempts: 1 }),
    );

    await expect(handover.handOver(event)).rejects.toThrow('AccessDeniedException');
  });

  it.each([
    [256 * 1024, true],
    [256 * 1024 + 1, false],
  ])('a payload of %i bytes is sent: %s', async (bytes, sent) => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const overhead = JSON.stringify({ filler: '' }).length;
    const big = { filler: 'x'.repeat(bytes - overhead) };

    const handing = new LambdaSweepHandover('f', new LambdaClient({})).handOver(big);

    if (sent) await expect(handing).resolves.toBeUndefined();
    else
      await expect(handing).rejects.toThrow(
        `sweep continuation for f is ${bytes} bytes; an asynchronous invocation takes at most 262144`,
      );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(sent ? 1 : 0);
  });
});
