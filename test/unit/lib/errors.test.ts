import * as errors from '../../../lib/errors';
import * as policyErrors from '../../../policies/policy-error';

describe('lib/errors', () => {
  it('is where the policy and waiver file errors are caught from too: the same classes', () => {
    expect(errors.InvalidFileError).toBe(policyErrors.InvalidFileError);
    expect(errors.PolicyError).toBe(policyErrors.PolicyError);
    expect(errors.WaiversError).toBe(policyErrors.WaiversError);
  });
});

describe('MacieCallError', () => {
  it('names the call, the region and the error it wraps', () => {
    const cause = Object.assign(new Error('Macie is not enabled.'), {
      name: 'AccessDeniedException',
    });

    const error = new errors.MacieCallError('GetFindings', 'eu-west-1', { cause });

    expect(error.message).toBe(
      'GetFindings in eu-west-1: AccessDeniedException: Macie is not enabled.',
    );
    expect(error.cause).toBe(cause);
  });

  it('describes a thrown value that is not an Error', () => {
    const error = new errors.MacieCallError('ListFindings', 'us-east-1', {
      cause: 'socket hang up',
    });

    expect(error.message).toBe('ListFindings in us-east-1: Error: socket hang up');
  });
});

describe('the errors of lib/errors', () => {
  it.each([
    ['FindingParseError', () => new errors.FindingParseError('not a finding')],
    ['ConfigEventError', () => new errors.ConfigEventError('not a Config event')],
    ['LedgerJobError', () => new errors.LedgerJobError('no job')],
    ['SweepError', () => new errors.SweepError('cannot go on')],
    [
      'MacieCallError',
      () => new errors.MacieCallError('ListFindings', 'eu-west-1', { cause: 'x' }),
    ],
  ])('%s is named so', (name, make) => {
    expect(make().name).toBe(name);
  });

  it.each([
    ['FindingParseError', (m: string, p?: string[]) => new errors.FindingParseError(m, p)],
    ['ConfigEventError', (m: string, p?: string[]) => new errors.ConfigEventError(m, p)],
  ])('%s lists its problems after the message, or gives the message alone', (_, make) => {
    expect(make('bad input', ['detail: missing', 'id: not text']).message).toBe(
      'bad input: detail: missing; id: not text',
    );
    expect(make('bad input').message).toBe('bad input');
    expect(make('bad input', []).problems).toEqual([]);
  });
});
