import * as errors from '../../../lib/errors';
import * as policyErrors from '../../../policies/policy-error';

describe('lib/errors', () => {
  it('is where the policy and waiver file errors are caught from too: the same classes', () => {
    expect(errors.InvalidFileError).toBe(policyErrors.InvalidFileError);
    expect(errors.PolicyError).toBe(policyErrors.PolicyError);
    expect(errors.WaiversError).toBe(policyErrors.WaiversError);
  });
});
