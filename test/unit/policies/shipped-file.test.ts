import * as path from 'node:path';
import { DEFAULT_POLICY_FILE } from '../../../policies/load-policy';
import { DEFAULT_WAIVERS_FILE } from '../../../policies/load-waivers';
import { shippedFile } from '../../../policies/shipped-file';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir();

describe('shippedFile', () => {
  it('is the file beside the module when it is there (the sources, the CLI bundle)', () => {
    dir.write('policies/default-policy.yaml', 'policies');
    dir.write('bin/default-policy.yaml', 'beside');

    expect(shippedFile(path.join(dir.path, 'bin'), 'default-policy.yaml')).toBe(
      path.join(dir.path, 'bin', 'default-policy.yaml'),
    );
  });

  it('is policies/ of the task root for a function bundle under handlers/', () => {
    dir.write('policies/waivers.yaml', 'policies');

    expect(shippedFile(path.join(dir.path, 'handlers'), 'waivers.yaml')).toBe(
      path.join(dir.path, 'policies', 'waivers.yaml'),
    );
  });

  it('is the package policies/ for the built command line under dist/bin/', () => {
    dir.write('policies/default-policy.yaml', 'the file a user edits');

    expect(shippedFile(path.join(dir.path, 'dist', 'bin'), 'default-policy.yaml')).toBe(
      path.join(dir.path, 'policies', 'default-policy.yaml'),
    );
  });

  it('names the file beside the module when it is nowhere', () => {
    expect(shippedFile(path.join(dir.path, 'handlers'), 'default-policy.yaml')).toBe(
      path.join(dir.path, 'handlers', 'default-policy.yaml'),
    );
  });
});

describe('the shipped files', () => {
  it('are read from policies/ of the sources', () => {
    const policies = path.resolve(__dirname, '..', '..', '..', 'policies');

    expect(DEFAULT_POLICY_FILE).toBe(path.join(policies, 'default-policy.yaml'));
    expect(DEFAULT_WAIVERS_FILE).toBe(path.join(policies, 'waivers.yaml'));
  });
});
