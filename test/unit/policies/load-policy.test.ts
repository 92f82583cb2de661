import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_POLICY_FILE, loadPolicy, parsePolicy } from '../../../policies/load-policy';
import { DEFAULT_WAIVERS_FILE } from '../../../policies/load-waivers';
import { PolicyError } from '../../../policies/policy-error';
import { policyJsonSchema } from '../../../policies/policy-file-schema';
import { requirementFor } from '../../../rules/required-level';
import { VALID_POLICY as VALID } from '../../support/policy-files';
import { createTempDir } from '../../support/temp-dir';

const POLICIES_DIR = path.resolve(__dirname, '../../../policies');

function problemsOf(text: string): PolicyError {
  try {
    parsePolicy(text, 'team-policy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected the policy to be rejected');
}

describe('loadPolicy', () => {
  it('loads the default policy with its four ordered levels', () => {
    const policy = loadPolicy();

    expect(policy.levels).toEqual(['Public', 'Internal', 'Confidential', 'Restricted']);
    expect(policy.source).toBe(DEFAULT_POLICY_FILE);
    expect(policy.unknownCategory).toEqual({ kind: 'level', level: 'Restricted', rank: 3 });
  });

  it.each(
    readdirSync(POLICIES_DIR).filter(
      (file) => /\.(ya?ml)$/.test(file) && file !== path.basename(DEFAULT_WAIVERS_FILE),
    ),
  )('accepts the shipped policy %s', (file) => {
    expect(() => loadPolicy(path.join(POLICIES_DIR, file))).not.toThrow();
  });

  it('reads JSON policy files too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    try {
      const file = path.join(dir, 'policy.json');
      writeFileSync(file, JSON.stringify(parsePlain(VALID)));

      expect(loadPolicy(file).levels).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file it cannot read', () => {
    expect(() => loadPolicy('/nonexistent/policy.yaml')).toThrow(
      '/nonexistent/policy.yaml: cannot read the file (ENOENT)',
    );
  });
});

describe('parsePolicy errors', () => {
  it('accepts the valid base used below', () => {
    expect(parsePolicy(VALID, 'team-policy.yaml').levels).toHaveLength(4);
  });

  it('names file, line and path of an unknown level', () => {
    const error = problemsOf(
      VALID.replace('FINANCIAL_INFORMATION: Confidential', 'FINANCIAL_INFORMATION: Secret'),
    );

    expect(error.problems).toEqual([
      {
        path: 'categories.FINANCIAL_INFORMATION',
        line: 7,
        message:
          'unknown level "Secret" (expected Public, Internal, Confidential, Restricted or forbidden)',
      },
    ]);
    expect(error.message).toContain(
      'team-policy.yaml:7: categories.FINANCIAL_INFORMATION: unknown level "Secret"',
    );
  });

  it('rejects a duplicate level, ignoring case', () => {
    const error = problemsOf(
      VALID.replace('  - name: Internal', '  - name: internal\n  - name: Internal'),
    );

    expect(error.problems[0]).toMatchObject({
      path: 'levels[2].name',
      line: 4,
      message: 'duplicate level name "Internal" (already used by level internal)',
    });
  });

  it('rejects an alias that repeats another level', () => {
    const error = problemsOf(
      VALID.replace('  - name: Restricted', '  - name: Restricted\n    aliases: [confidential]'),
    );

    expect(error.problems[0]).toMatchObject({ path: 'levels[3].aliases[0]', line: 6 });
  });

  it('rejects "forbidden" as a level name', () => {
    const error = problemsOf(VALID.replace('  - name: Public', '  - name: Forbidden'));

    expect(error.problems[0]?.message).toContain('reserved');
  });

  it('rejects a severity that is not one of Low, Medium, High, Critical', () => {
    const error = problemsOf(VALID.replace('forbidden: Critical', 'forbidden: Severe'));

    expect(error.problems[0]).toMatchObject({ path: 'severity.forbidden', line: 13 });
    expect(error.problems[0]?.message).toContain('"Critical"');
  });

  it('names an unknown key and the keys allowed there', () => {
    const error = problemsOf(`${VALID}defaultLevel: Internal\n`);

    expect(error.problems).toEqual([
      {
        path: 'defaultLevel',
        line: 16,
        message: expect.stringMatching(
          /^unknown key \(allowed here: extends, description, levels, .*severity\)$/,
        ),
      },
    ]);
  });

  it('names an unknown nested key', () => {
    const error = problemsOf(VALID.replace('  unclassified: High', '  unclasified: High'));

    expect(error.problems.map((p) => [p.path, p.message])).toEqual(
      expect.arrayContaining([
        [
          'severity.unclasified',
          expect.stringContaining(
            'unknown key (allowed here: levelGap, forbidden, unclassified, publicExposureRaise)',
          ),
        ],
        ['severity.unclassified', 'is required'],
      ]),
    );
  });

  it('requires a severity for each possible gap', () => {
    const error = problemsOf(VALID.replace('[Medium, High, Critical]', '[Medium, High]'));

    expect(error.problems[0]).toMatchObject({
      path: 'severity.levelGap',
      message: 'needs 3 entries, one for each possible gap between 4 levels; has 2',
    });
  });

  it('rejects a managed identifier key that is not an upper-case ID or pattern', () => {
    const error = problemsOf(`${VALID}managedIdentifiers:\n  credit card: Restricted\n`);

    expect(error.problems[0]?.path).toBe('managedIdentifiers.credit card');
  });

  it('rejects custom identifier names that differ only by case', () => {
    const error = problemsOf(
      VALID.replace(
        '  default: Confidential',
        '  default: Confidential\n  byName:\n    employee-id: Internal\n    Employee-ID: Public',
      ),
    );

    expect(error.problems[0]).toMatchObject({ path: 'customIdentifiers.byName.Employee-ID' });
  });

  it('reports YAML syntax errors with their line', () => {
    const error = problemsOf('levels:\n  - name: Public\n  - [unclosed\n');

    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/^invalid policy/);
  });

  it('reports a duplicate YAML key with its line and the line of its first use', () => {
    const error = problemsOf(`${VALID}unknownCategory: Internal\n`);

    expect(error.problems).toEqual([
      {
        path: 'unknownCategory',
        line: 16,
        message: 'map keys must be unique: "unknownCategory" is given again (first at line 8)',
      },
    ]);
  });

  it('reports a duplicate key inside a list item', () => {
    const error = problemsOf(VALID.replace('  - name: Public', '  - name: Public\n    name: Open'));

    expect(error.problems).toEqual([
      {
        path: 'levels[0].name',
        line: 3,
        message: 'map keys must be unique: "name" is given again (first at line 2)',
      },
    ]);
  });

  it('finds a duplicate among 19,000 managed identifiers (near the limit), at its line', () => {
    const entries = Array.from({ length: 19_000 }, (_, i) => `  TYPE_${i}: Confidential`);
    const text = `${VALID}managedIdentifiers:\n${entries.join('\n')}\n  TYPE_7: Restricted\n`;

    const error = problemsOf(text);

    expect(error.problems).toEqual([
      {
        path: 'managedIdentifiers.TYPE_7',
        line: 19_017,
        message: 'map keys must be unique: "TYPE_7" is given again (first at line 24)',
      },
    ]);
  });

  it('rejects an empty file', () => {
    expect(problemsOf('# nothing here\n').problems).toEqual([
      { path: '', message: 'the file is empty' },
    ]);
  });

  it('reports every problem at once', () => {
    const error = problemsOf(
      VALID.replace('unknownCategory: Restricted', 'unknownCategory: Nope').replace(
        'FINANCIAL_INFORMATION: Confidential',
        'FINANCIAL_INFORMATION: Also-nope',
      ),
    );

    expect(error.problems.map((p) => p.path).sort()).toEqual([
      'categories.FINANCIAL_INFORMATION',
      'unknownCategory',
    ]);
    expect(error.message).toMatch(/^invalid policy \(2 problems\)/);
  });
});

describe('parsePolicy reports schema and meaning problems together', () => {
  it('reports an unknown key and an unknown level in one run', () => {
    const error = problemsOf(
      `${VALID.replace('FINANCIAL_INFORMATION: Confidential', 'FINANCIAL_INFORMATION: Secret')}defaultLevel: Internal\n`,
    );

    expect(error.problems).toEqual([
      {
        path: 'categories.FINANCIAL_INFORMATION',
        line: 7,
        message:
          'unknown level "Secret" (expected Public, Internal, Confidential, Restricted or forbidden)',
      },
      { path: 'defaultLevel', line: 16, message: expect.stringMatching(/^unknown key/) },
    ]);
    expect(error.message).toMatch(/^invalid policy \(2 problems\)/);
  });

  it('checks the other entries of a map that has a bad key', () => {
    const error = problemsOf(
      VALID.replace(
        'FINANCIAL_INFORMATION: Confidential',
        'FINANCIAL_INFORMATION: Confidential\n  personal: Internal\n  HEALTH: Nope',
      ),
    );

    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [8, 'categories.personal'],
      [9, 'categories.HEALTH'],
    ]);
  });

  it('reports a bad severity table beside a duplicate level and a bad reference', () => {
    const error = problemsOf(
      VALID.replace('  - name: Internal', '  - name: public')
        .replace('unknownCategory: Restricted', 'unknownCategory: Nope')
        .replace('  unclassified: High', '  unclassified: High\n  extra: 1'),
    );

    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [3, 'levels[1].name'],
      [8, 'unknownCategory'],
      [15, 'severity.extra'],
    ]);
  });

  it('does not judge level references when the levels themselves are invalid', () => {
    const error = problemsOf(
      VALID.replace('  - name: Public', '  - title: Public').replace(
        'FINANCIAL_INFORMATION: Confidential',
        'FINANCIAL_INFORMATION: Nope',
      ),
    );

    expect(error.problems.map((p) => p.path).sort()).toEqual(['levels[0].name', 'levels[0].title']);
  });
});

describe('loadPolicy orders the problems of a chain of policies', () => {
  it('lists the given file first, then each parent nearest first, each by line', () => {
    const dir = createTempDir();
    try {
      dir.write(
        'base.yaml',
        VALID.replace('FINANCIAL_INFORMATION: Confidential', 'FINANCIAL_INFORMATION: Nope-base'),
      );
      dir.write(
        'middle.yaml',
        [
          'extends: base.yaml',
          'description: Team defaults',
          'categories:',
          '  HEALTH_INFORMATION: Restricted',
          '  CREDENTIALS: forbidden',
          'managedIdentifiers:',
          '  EMAIL_ADDRESS: Internal',
          '  PHONE_NUMBER: Internal',
          'unknownCategory: Nope-middle',
          '',
        ].join('\n'),
      );
      const team = dir.write(
        'team.yaml',
        [
          'extends: middle.yaml',
          'customIdentifiers:',
          '  default: Nope-team',
          'managedIdentifiers:',
          '  NAME: Nope-name',
          '',
        ].join('\n'),
      );
      const expected = 'expected Public, Internal, Confidential, Restricted or forbidden';

      let error: unknown;
      try {
        loadPolicy(team);
      } catch (thrown) {
        error = thrown;
      }

      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).problems).toEqual([
        {
          path: 'customIdentifiers.default',
          line: 3,
          message: `unknown level "Nope-team" (${expected})`,
        },
        {
          path: 'managedIdentifiers.NAME',
          line: 5,
          message: `unknown level "Nope-name" (${expected})`,
        },
        {
          path: 'unknownCategory',
          line: 9,
          message: `unknown level "Nope-middle" (${expected})`,
          file: path.join(dir.path, 'middle.yaml'),
        },
        {
          path: 'categories.FINANCIAL_INFORMATION',
          line: 7,
          message: `unknown level "Nope-base" (${expected})`,
          file: path.join(dir.path, 'base.yaml'),
        },
      ]);
    } finally {
      dir.remove();
    }
  });
});

describe('policy JSON Schema', () => {
  it('is committed as policies/policy.schema.json and matches the schema in code', () => {
    const committed = JSON.parse(
      readFileSync(path.join(POLICIES_DIR, 'policy.schema.json'), 'utf8'),
    );

    expect(committed).toEqual(policyJsonSchema());
  });

  it('describes the top-level keys and refuses others', () => {
    const schema = policyJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };

    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'levels',
        'categories',
        'managedIdentifiers',
        'customIdentifiers',
        'severity',
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it('requires the keys of a whole policy only of a file that extends none', () => {
    const schema = policyJsonSchema() as {
      required?: unknown;
      if: unknown;
      else: { required: string[]; properties: Record<string, { required: string[] }> };
    };

    expect(schema.required).toBeUndefined();
    expect(schema.if).toEqual({ required: ['extends'] });
    expect(schema.else.required).toEqual([
      'levels',
      'categories',
      'unknownCategory',
      'customIdentifiers',
      'severity',
    ]);
    // Only the maps that require keys of their own; the others are left out.
    expect(schema.else.properties).toEqual({
      customIdentifiers: { required: ['default'] },
      severity: { required: ['levelGap', 'forbidden', 'unclassified', 'publicExposureRaise'] },
    });
  });
});

function parsePlain(yamlText: string): unknown {
  // The YAML package reads JSON too; here we only need the plain value to write JSON.
  return require('yaml').parse(yamlText);
}

describe('parsePolicy checks the valid parts of a file that fails its schema', () => {
  const UNKNOWN_KEY = /^unknown key \(allowed here: extends, description, levels, .*severity\)$/;

  it('still reports a severity table too short for the levels', () => {
    const error = problemsOf(
      `${VALID.replace('[Medium, High, Critical]', '[Medium, High]')}defaultLevel: Internal\n`,
    );

    expect(error.problems).toEqual([
      {
        path: 'severity.levelGap',
        line: 12,
        message: 'needs 3 entries, one for each possible gap between 4 levels; has 2',
      },
      { path: 'defaultLevel', line: 16, message: expect.stringMatching(UNKNOWN_KEY) },
    ]);
  });

  it('still reports an unknown custom default and custom names that differ only by case', () => {
    const error = problemsOf(
      `${VALID.replace(
        '  default: Confidential',
        '  default: Nope\n  byName:\n    employee-id: Internal\n    Employee-ID: Public',
      )}defaultLevel: Internal\n`,
    );

    expect(error.problems).toEqual([
      {
        path: 'customIdentifiers.default',
        line: 10,
        message:
          'unknown level "Nope" (expected Public, Internal, Confidential, Restricted or forbidden)',
      },
      {
        path: 'customIdentifiers.byName.Employee-ID',
        line: 13,
        message: 'duplicate entry (same as another key once case is ignored)',
      },
      { path: 'defaultLevel', line: 19, message: expect.stringMatching(UNKNOWN_KEY) },
    ]);
  });

  it('judges no entries of a map given as a list', () => {
    const error = problemsOf(`${VALID}managedIdentifiers: [Nope]\n`);

    expect(error.problems).toEqual([
      {
        path: 'managedIdentifiers',
        line: 16,
        message: 'Invalid input: expected record, received array',
      },
    ]);
  });

  it('judges no entries of a map left empty', () => {
    const error = problemsOf(VALID.replace('  FINANCIAL_INFORMATION: Confidential\n', ''));

    expect(error.problems).toEqual([
      { path: 'categories', line: 6, message: 'Invalid input: expected record, received null' },
    ]);
  });

  it('reports a custom default that is not text as a schema problem', () => {
    const error = problemsOf(VALID.replace('  default: Confidential', '  default: 5'));

    expect(error.problems).toEqual([
      {
        path: 'customIdentifiers.default',
        line: 10,
        message: 'Invalid input: expected string, received number',
      },
    ]);
  });
});

describe('parsePolicy results', () => {
  it('gives no extends to a policy that extends none', () => {
    const policy = parsePolicy(VALID, 'team-policy.yaml');

    expect('extends' in policy).toBe(false);
    expect(policy.extends).toBeUndefined();
  });

  it('resolves a level written in another case to its name in levels', () => {
    const policy = parsePolicy(
      VALID.replace(
        'FINANCIAL_INFORMATION: Confidential',
        'FINANCIAL_INFORMATION: " confidential "',
      ),
      'team-policy.yaml',
    );

    expect(policy.categories.get('FINANCIAL_INFORMATION')).toEqual({
      kind: 'level',
      level: 'Confidential',
      rank: 2,
    });
  });

  it('tries the pattern with more literal characters first, however many stars it has', () => {
    const policy = parsePolicy(
      `${VALID}managedIdentifiers:\n  "A*B*C*D": Public\n  "ABCDE*": Restricted\n`,
      'team-policy.yaml',
    );

    expect(policy.managedIdentifierPatterns.map((p) => p.pattern)).toEqual(['ABCDE*', 'A*B*C*D']);
    expect(
      requirementFor(policy, { type: 'ABCDE_D', category: 'PERSONAL_INFORMATION', custom: false }),
    ).toEqual({
      requirement: { kind: 'level', level: 'Restricted', rank: 3 },
      because: 'managedIdentifiers."ABCDE*"',
    });
  });
});
