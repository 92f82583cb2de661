import { PolicyError, WaiversError } from '../../../policies/policy-error';

describe('errors of policy and waivers files', () => {
  it('names one problem under a heading: file, line, path and what is wrong', () => {
    const error = new PolicyError('policies/team.yaml', [
      { path: 'levels[2]', line: 7, message: 'must be a non-empty string' },
    ]);

    expect(error.name).toBe('PolicyError');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      'invalid policy\n  policies/team.yaml:7: levels[2]: must be a non-empty string',
    );
  });

  it('counts several problems and gives each a line of its own, indented', () => {
    const error = new WaiversError('waivers.yaml', [
      { path: '', message: 'not YAML' },
      { path: 'waivers[0].until', message: 'not a date', file: 'other.yaml', line: 3 },
    ]);

    expect(error.name).toBe('WaiversError');
    expect(error.message).toBe(
      'invalid waivers (2 problems)\n  waivers.yaml: not YAML\n  other.yaml:3: waivers[0].until: not a date',
    );
    expect(error.source).toBe('waivers.yaml');
    expect(error.problems).toHaveLength(2);
  });

  it('neutralises control characters in the file name, path and message', () => {
    const error = new PolicyError('evil\u001b[31m.yaml', [{ path: 'a\nb', message: 'bad\rvalue' }]);

    expect(error.message).not.toContain('\u001b');
    expect(error.message).not.toContain('\r');
    expect(error.message.split('\n')).toHaveLength(2);
  });
});
