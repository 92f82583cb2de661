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
