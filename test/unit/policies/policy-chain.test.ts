import * as path from 'node:path';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../../policies/load-policy';
import { mergeValues } from '../../../policies/policy-chain';
import { PolicyError } from '../../../policies/policy-error';
import { VALID_POLICY } from '../../support/policy-files';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir();

function rejected(file: string): PolicyError {
  try {
    loadPolicy(file);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error(`expected ${file} to be rejected`);
}

describe('mergeValues', () => {
  it('merges maps key by key, the override winning', () => {
    expect(mergeValues({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 4, e: 5 }, f: 6 })).toEqual({
      a: 1,
      b: { c: 2, d: 4, e: 5 },
      f: 6,
    });
  });

  it('replaces lists whole', () => {
    expect(
      mergeValues({ levelGap: ['Medium', 'High', 'Critical'] }, { levelGap: ['Low'] }),
    ).toEqual({ levelGap: ['Low'] });
  });

  it('replaces a custom identifier named in another case', () => {
    const merged = mergeValues(
      { customIdentifiers: { byName: { 'employee-id': 'Internal', other: 'Public' } } },
      { customIdentifiers: { byName: { 'Employee-ID': 'Restricted' } } },
    );

    expect(merged).toEqual({
      customIdentifiers: { byName: { other: 'Public', 'Employee-ID': 'Restricted' } },
    });
  });
});

describe('loadPolicy with extends', () => {
  it('extends the default policy, changing only what the file names', () => {
    const file = dir.write(
      'team.yaml',
      [
        'extends: default',
        'categories:',
        '  PERSONAL_INFORMATION: Restricted',
        'managedIdentifiers:',
        '  EMAIL_ADDRESS: Internal',
        'severity:',
        '  publicExposureRaise: 2',
        '',
      ].join('\n'),
    );

    const policy = loadPolicy(file);

    expect(policy.source).toBe(file);
    expect(policy.extends).toEqual([DEFAULT_POLICY_FILE]);
    expect(policy.categories.get('PERSONAL_INFORMATION')).toEqual({
      kind: 'level',
      level: 'Restricted',
      rank: 3,
    });
    // Kept from the default policy.
    expect(policy.categories.get('CREDENTIALS')).toEqual({ kind: 'forbidden' });
    expect(policy.managedIdentifiers.get('CREDIT_CARD_NUMBER')).toEqual({
      kind: 'level',
      level: 'Restricted',
      rank: 3,
    });
    expect(policy.managedIdentifiers.get('EMAIL_ADDRESS')).toEqual({
      kind: 'level',
      level: 'Internal',
      rank: 1,
    });
    expect(policy.severity).toEqual({
      levelGap: ['Medium', 'High', 'Critical'],
      forbidden: 'Critical',
      unclassified: 'High',
      publicExposureRaise: 2,
    });
  });

  it('replaces a list whole: the levels a child gives are all the levels', () => {
    dir.write('base.yaml', VALID_POLICY);
    const file = dir.write(
      'child.yaml',
      [
        'extends: ./base.yaml',
        'levels:',
        '  - name: Open',
        '  - name: Internal',
        '  - name: Confidential',
        '  - name: Restricted',
        '    aliases: [Secret]',
        '',
      ].join('\n'),
    );

    const policy = loadPolicy(file);

    expect(policy.levels).toEqual(['Open', 'Internal', 'Confidential', 'Restricted']);
    expect(policy.levelByName.get('secret')).toBe(3);
    expect(policy.levelByName.has('public')).toBe(false);
  });

  it('follows a chain, the nearest file winning, with paths relative to each file', () => {
    dir.write('org/base.yaml', VALID_POLICY);
    dir.write(
      'org/security.yaml',
      'extends: base.yaml\nunknownCategory: Confidential\nseverity:\n  unclassified: Medium\n',
    );
    const file = dir.write(
      'teams/payments.yaml',
      'extends: ../org/security.yaml\nseverity:\n  unclassified: Critical\n',
    );

    const policy = loadPolicy(file);

    expect(policy.extends).toEqual([
      path.join(dir.path, 'org/security.yaml'),
      path.join(dir.path, 'org/base.yaml'),
    ]);
    expect(policy.unknownCategory).toEqual({ kind: 'level', level: 'Confidential', rank: 2 });
    expect(policy.severity.unclassified).toBe('Critical');
    expect(policy.severity.forbidden).toBe('Critical');
  });

  it('refuses a cycle, naming every file in it', () => {
    const a = dir.write('a.yaml', `extends: b.yaml\n${VALID_POLICY}`);
    dir.write('b.yaml', 'extends: c.yaml\n');
    dir.write('c.yaml', 'description: closes the loop\nextends: b.yaml\n');

    const error = rejected(a);

    const b = path.join(dir.path, 'b.yaml');
    const c = path.join(dir.path, 'c.yaml');
    expect(error.problems).toEqual([
      { path: 'extends', line: 2, file: c, message: `extends makes a cycle: ${b} -> ${c} -> ${b}` },
    ]);
    expect(error.message).toContain(`${c}:2: extends: extends makes a cycle`);
  });

  it('refuses a file that extends itself', () => {
    const self = dir.write('self.yaml', `extends: ./self.yaml\n${VALID_POLICY}`);

    expect(rejected(self).problems[0]?.message).toBe(
      `extends makes a cycle: ${self} -> ${path.join(dir.path, 'self.yaml')}`,
    );
  });

  it('refuses a missing parent, naming the file that extends it and the parent', () => {
    const file = dir.write('team.yaml', `${VALID_POLICY}extends: missing.yaml\n`);

    const error = rejected(file);

    expect(error.problems).toEqual([
      {
        path: 'extends',
        line: 16,
        message: `the policy it extends, ${path.join(dir.path, 'missing.yaml')}: cannot read the file (ENOENT)`,
      },
    ]);
    expect(error.message).toContain(`${file}:16: extends: the policy it extends,`);
  });

  it('refuses an extends that is not a file name', () => {
    const file = dir.write('team.yaml', 'extends: [default]\n');

    expect(rejected(file).problems).toEqual([
      {
        path: 'extends',
        line: 1,
        message: 'must be "default" or the path of a policy file, relative to this one',
      },
    ]);
  });

  it('refuses a chain longer than ten files', () => {
    dir.write('p10.yaml', VALID_POLICY);
    for (let i = 0; i < 10; i++) dir.write(`p${i}.yaml`, `extends: p${i + 1}.yaml\n`);

    expect(rejected(path.join(dir.path, 'p0.yaml')).problems[0]?.message).toMatch(
      /^the chain of policies is longer than 10 /,
    );
    // Nine links (ten files) are allowed.
    expect(loadPolicy(path.join(dir.path, 'p1.yaml')).levels).toHaveLength(4);
  });

  it('validates the merged policy, naming the file and line of each problem', () => {
    dir.write('base.yaml', VALID_POLICY);
    const file = dir.write(
      'child.yaml',
      [
        'extends: base.yaml',
        'levels:',
        '  - name: Public',
        '  - name: Internal',
        '  - name: Restricted',
        'managedIdentifiers:',
        '  USA_PASSPORT_NUMBER: Top-Secret',
        '',
      ].join('\n'),
    );

    const error = rejected(file);

    // The base names Confidential, which the child's levels no longer define.
    expect(error.problems).toEqual([
      {
        path: 'managedIdentifiers.USA_PASSPORT_NUMBER',
        line: 7,
        message: 'unknown level "Top-Secret" (expected Public, Internal, Restricted or forbidden)',
      },
      {
        path: 'categories.FINANCIAL_INFORMATION',
        line: 7,
        file: path.join(dir.path, 'base.yaml'),
        message:
          'unknown level "Confidential" (expected Public, Internal, Restricted or forbidden)',
      },
      {
        path: 'customIdentifiers.default',
        line: 10,
        file: path.join(dir.path, 'base.yaml'),
        message:
          'unknown level "Confidential" (expected Public, Internal, Restricted or forbidden)',
      },
    ]);
    expect(error.message).toContain(`${path.join(dir.path, 'base.yaml')}:7: categories.`);
  });

  it('reports a schema problem in a child at its own line', () => {
    dir.write('base.yaml', VALID_POLICY);
    const file = dir.write('child.yaml', 'extends: base.yaml\nseverity:\n  forbidden: Severe\n');

    expect(rejected(file).problems).toEqual([
      {
        path: 'severity.forbidden',
        line: 3,
        message: expect.stringContaining('"Critical"'),
      },
    ]);
  });

  it('says a key is required where no file in the chain gives it', () => {
    const file = dir.write(
      'child.yaml',
      `extends: base.yaml\n${VALID_POLICY.replace('unknownCategory: Restricted\n', '')}`,
    );
    dir.write('base.yaml', 'description: a base that leaves unknownCategory out\n');

    expect(rejected(file).problems).toEqual([
      { path: 'unknownCategory', line: 1, message: 'is required' },
    ]);
  });
});
