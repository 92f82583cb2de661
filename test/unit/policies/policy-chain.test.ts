import * as path from 'node:path';
import { DEFAULT_POLICY_FILE, loadPolicy, parsePolicy } from '../../../policies/load-policy';
import { mergePolicyChain, mergeValues } from '../../../policies/policy-chain';
import { PolicyError } from '../../../policies/policy-error';
import { VALID_POLICY } from '../../support/policy-files';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir();

function rejected(file: string, load: () => unknown = () => loadPolicy(file)): PolicyError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error(`expected ${file} to be rejected`);
}

const REQUIRED_OF_EXTENDS = 'must be "default" or the path of a policy file, relative to this one';

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

  it('replaces a value that is a map by one that is not, and the other way round', () => {
    expect(mergeValues({ a: { b: 1 } }, { a: [1] })).toEqual({ a: [1] });
    expect(mergeValues({ a: [1, 2] }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(mergeValues({ a: 'text' }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('keeps a key named "undefined" like any other', () => {
    expect(mergeValues({ undefined: { x: 1 } }, { y: { z: 2 } })).toStrictEqual({
      undefined: { x: 1 },
      y: { z: 2 },
    });
  });

  it.each([
    ['at the top', {}, ['X']],
    [
      'in another map of customIdentifiers',
      { customIdentifiers: {} },
      ['customIdentifiers', 'other', 'X'],
    ],
    ["in a byName that is not customIdentifiers'", {}, ['managedIdentifiers', 'byName', 'X']],
    ['below a custom identifier', {}, ['customIdentifiers', 'byName', 'Name', 'X']],
  ])('compares keys as written %s: only custom identifier names ignore case', (_, base, at) => {
    const nest = (key: string, value: unknown): Record<string, unknown> =>
      at
        .slice(0, -1)
        .reduceRight<Record<string, unknown>>((inner, segment) => ({ [segment]: inner }), {
          [key]: value,
        });
    const lower = (segments: string[]) =>
      segments.map((s, i) => (i === segments.length - 1 ? s.toLowerCase() : s));

    const merged = mergeValues(
      { ...base, ...nest(at.at(-1) as string, 1) },
      nest(lower(at).at(-1) as string, 2),
    );

    expect(JSON.stringify(merged)).toContain('"X":1');
    expect(JSON.stringify(merged)).toContain('"x":2');
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

    expect((error.cause as PolicyError).problems).toStrictEqual([
      { path: '', message: 'cannot read the file (ENOENT)' },
    ]);
    expect(error.problems).toStrictEqual([
      {
        path: 'extends',
        line: 16,
        message: `the policy it extends, ${path.join(dir.path, 'missing.yaml')}: cannot read the file (ENOENT)`,
      },
    ]);
    expect(error.message).toContain(`${file}:16: extends: the policy it extends,`);
  });

  it.each([
    ['a list', 'extends: [default]\n'],
    ['blank', 'extends: "  "\n'],
  ])('refuses an extends that is %s', (_, text) => {
    const file = dir.write('team.yaml', text);

    expect(rejected(file).problems).toStrictEqual([
      { path: 'extends', line: 1, message: REQUIRED_OF_EXTENDS },
    ]);
  });

  it('reads a parent named with spaces around it', () => {
    dir.write('base.yaml', VALID_POLICY);
    const file = dir.write('team.yaml', 'extends: " base.yaml "\nunknownCategory: Internal\n');
    const fromDefault = dir.write('other.yaml', 'extends: " default "\n');

    expect(loadPolicy(file).extends).toEqual([path.join(dir.path, 'base.yaml')]);
    expect(loadPolicy(fromDefault).extends).toEqual([DEFAULT_POLICY_FILE]);
  });

  it('reads a parent named by an absolute path', () => {
    const base = dir.write('org/base.yaml', VALID_POLICY);
    const file = dir.write('teams/team.yaml', `extends: ${base}\n`);

    expect(loadPolicy(file).extends).toEqual([base]);
  });

  it('lets a key left empty in a child replace the map its parent gives', () => {
    dir.write('base.yaml', VALID_POLICY);
    const file = dir.write('child.yaml', 'extends: base.yaml\nseverity:\n');

    expect(rejected(file).problems).toMatchObject([{ path: 'severity', line: 2 }]);
  });

  it('reports a missing parent, not a cycle, for policy text whose own file does not exist', () => {
    const source = path.join(dir.path, 'nowhere', 'team.yaml');

    const error = rejected(source, () => parsePolicy('extends: missing.yaml\n', source));

    expect(error.problems[0]?.message).toBe(
      `the policy it extends, ${path.join(dir.path, 'nowhere', 'missing.yaml')}: cannot read the file (ENOENT)`,
    );
  });

  it('refuses a chain longer than ten files', () => {
    dir.write('p10.yaml', VALID_POLICY);
    for (let i = 0; i < 10; i++) dir.write(`p${i}.yaml`, `extends: p${i + 1}.yaml\n`);

    const files = Array.from({ length: 10 }, (_, i) => path.join(dir.path, `p${i}.yaml`));
    expect(rejected(files[0] as string).problems).toStrictEqual([
      {
        path: 'extends',
        line: 1,
        file: files[9],
        message: `the chain of policies is longer than 10 (${files.join(' -> ')} -> ...)`,
      },
    ]);
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

describe('where a problem of a merged policy is placed', () => {
  it('places a key missing under a list in the file that gave the list, not in a parent that has it', () => {
    dir.write('base.yaml', VALID_POLICY);
    const file = dir.write(
      'child.yaml',
      ['extends: base.yaml', 'levels:', '  - name: Low', '  - aliases: [High]', ''].join('\n'),
    );

    expect(rejected(file).problems).toContainEqual({
      path: 'levels[1].name',
      line: 4,
      message: 'is required',
    });
  });

  it('places a key missing under a map in the nearest file, when a file between replaced the map', () => {
    dir.write('base.yaml', VALID_POLICY);
    dir.write('middle.yaml', 'extends: base.yaml\nseverity: none\n');
    const file = dir.write(
      'child.yaml',
      'extends: middle.yaml\nseverity:\n  levelGap: [Medium, High, Critical]\n',
    );

    expect(rejected(file).problems).toContainEqual({
      path: 'severity.forbidden',
      line: 2,
      message: 'is required',
    });
  });

  it('places a value in the file it came from, through maps every file holds', () => {
    dir.write('base.yaml', `${VALID_POLICY.replace('forbidden: Critical', 'forbidden: Severe')}`);
    const file = dir.write('child.yaml', 'extends: base.yaml\nseverity:\n  unclassified: Medium\n');

    expect(rejected(file).problems).toMatchObject([
      { path: 'severity.forbidden', line: 13, file: path.join(dir.path, 'base.yaml') },
    ]);
  });

  it('merges custom identifier names that differ only in case across files', () => {
    dir.write(
      'base.yaml',
      VALID_POLICY.replace(
        '  default: Confidential\n',
        '  default: Confidential\n  byName:\n    Employee ID: Internal\n    Badge: Public\n',
      ),
    );
    const file = dir.write(
      'child.yaml',
      'extends: base.yaml\ncustomIdentifiers:\n  byName:\n    employee id: Restricted\n',
    );

    expect(
      [...loadPolicy(file).customIdentifiers.byName.values()].map((r) =>
        r.kind === 'level' ? r.level : r.kind,
      ),
    ).toEqual(['Public', 'Restricted']);
  });

  it('needs at least one file', () => {
    expect(() => mergePolicyChain([])).toThrow(new Error('a policy chain has at least one file'));
  });
});
