/**
 * Policy, waivers and tags files built to be slow or to reach into prototypes:
 * each is refused quickly with the limit and the file named.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadPolicy, parsePolicy } from '../../../policies/load-policy';
import { loadWaivers, parseWaivers } from '../../../policies/load-waivers';
import { PolicyError, WaiversError } from '../../../policies/policy-error';
import { runCli } from '../../support/cli';
import { loadMacieEvent } from '../../support/fixtures';
import { VALID_POLICY as VALID } from '../../support/policy-files';
import { createTempDir, type TempDir, useTempDir } from '../../support/temp-dir';

function withCustomIdentifiers(count: number): string {
  const names = Array.from({ length: count }, (_, i) => `    ID_${i}: Restricted`);
  return VALID.replace(
    '  default: Confidential\n',
    `  default: Confidential\n  byName:\n${names.join('\n')}\n`,
  );
}

function rejection(load: () => unknown): Error & { problems: unknown } {
  try {
    load();
  } catch (error) {
    return error as Error & { problems: unknown };
  }
  throw new Error('expected the file to be rejected');
}

/** Ten levels of ten aliases each: 10^10 strings once expanded. */
const ALIAS_BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...'bcdefghij'
    .split('')
    .map((name, i) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
].join('\n');

describe('policy and waivers file limits', () => {
  const dir = useTempDir();

  it('loads a policy naming 19,000 custom identifiers', () => {
    const policy = parsePolicy(withCustomIdentifiers(19_000), 'big.yaml');

    expect(policy.customIdentifiers.byName.size).toBe(19_000);
  });

  it('refuses a policy of more than 20,000 entries, naming the limit', () => {
    const error = rejection(() => parsePolicy(withCustomIdentifiers(20_000), 'big.yaml'));

    expect(error).toBeInstanceOf(PolicyError);
    expect(error.problems).toEqual([
      {
        path: '',
        message: 'the file has 20023 entries (keys and list items); a file may have at most 20000',
      },
    ]);
  });

  it('refuses a 200,000-entry policy file by its size, naming the file', async () => {
    const file = dir.write('huge.yaml', withCustomIdentifiers(200_000));

    const { code, stderr } = await runCli('policy', 'validate', file);

    expect(stderr).toBe(
      `bucket-classification: invalid policy\n  ${file}: the file is larger than 1 MiB, the most a file may hold\n`,
    );
    expect(code).toBe(2);
  });

  it('refuses /dev/zero and a FIFO as a policy file without waiting', async () => {
    const fifo = path.join(dir.path, 'policy.yaml');
    execFileSync('mkfifo', [fifo]);

    expect(rejection(() => loadPolicy('/dev/zero')).problems).toEqual([
      { path: '', message: 'cannot read the file (not a regular file)' },
    ]);
    expect(rejection(() => loadPolicy(fifo)).problems).toEqual([
      { path: '', message: 'cannot read the file (not a regular file)' },
    ]);
  });

  it('refuses a pattern with more than 8 stars or 256 characters, and takes one at the limits', () => {
    const text = VALID.replace(
      'customIdentifiers:',
      [
        'managedIdentifiers:',
        '  "*A*B*C*D*E*F*G*H": Restricted',
        '  "*A*B*C*D*E*F*G*H*": Restricted',
        `  ${'X'.repeat(256)}: Restricted`,
        `  ${'Y'.repeat(257)}: Restricted`,
        'customIdentifiers:',
      ].join('\n'),
    );

    const error = rejection(() => parsePolicy(text, 'stars.yaml'));

    expect(error.problems).toEqual([
      {
        path: 'managedIdentifiers.*A*B*C*D*E*F*G*H*',
        line: 11,
        message: 'has 9 *; a pattern may have at most 8',
      },
      {
        path: `managedIdentifiers.${'Y'.repeat(257)}`,
        line: 13,
        message: 'is 257 characters long; at most 256 are allowed',
      },
    ]);
  });

  it('refuses a waiver pattern with more than 8 stars', () => {
    const text = `waivers:
  - bucket: "a*b*c*d*e*f*g*h*i*j"
    types: [CREDIT_CARD_NUMBER]
    reason: test
    ticket: SEC-1
    approver: someone
    expires: 2030-01-01
`;

    expect(rejection(() => parseWaivers(text, 'waivers.yaml')).problems).toEqual([
      { path: 'waivers[0].bucket', line: 2, message: 'has 9 *; a pattern may have at most 8' },
    ]);
  });

  it('refuses a YAML alias bomb in a policy quickly, naming the file', () => {
    const error = rejection(() => parsePolicy(`${VALID}${ALIAS_BOMB}\n`, 'bomb.yaml'));

    expect(error).toBeInstanceOf(PolicyError);
    expect(error.message).toMatch(
      /^invalid policy\n {2}bomb\.yaml: YAML aliases expand too far \(.*\); a file may use at most 100 aliases$/,
    );
  });

  it('refuses a YAML alias bomb in a waivers file', () => {
    const file = dir.write('waivers.yaml', `waivers: []\n${ALIAS_BOMB}\n`);

    const error = rejection(() => loadWaivers(file));

    expect(error).toBeInstanceOf(WaiversError);
    expect(error.message).toContain(`${file}: YAML aliases expand too far`);
  });
});

describe('__proto__ keys', () => {
  let dir: TempDir;

  beforeEach(() => {
    dir = createTempDir();
  });

  afterEach(() => {
    dir.remove();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('are refused in a policy wherever they stand, with their lines', () => {
    const text = `__proto__: {polluted: 1}\n${VALID.replace(
      '  default: Confidential\n',
      '  default: Confidential\n  byName:\n    __proto__: Public\n',
    )}`;

    const error = rejection(() => parsePolicy(text, 'proto.yaml'));

    expect(error.problems).toEqual([
      { path: '__proto__', line: 1, message: 'the key __proto__ is not allowed' },
      {
        path: 'customIdentifiers.byName.__proto__',
        line: 13,
        message: 'the key __proto__ is not allowed',
      },
    ]);
  });

  it('are refused in a tags file, naming the bucket', async () => {
    const finding = dir.write('f.json', JSON.stringify(loadMacieEvent('sensitive-financial.json')));
    const tags = dir.write(
      'tags.json',
      '{"team-a-ledger": {"__proto__": {"DataClassification": "Restricted"}}}',
    );

    const { code, stderr } = await runCli('check', finding, '--tags', tags);

    expect(stderr).toContain(
      `--tags ${tags}: team-a-ledger.__proto__: the key __proto__ is not allowed`,
    );
    expect(code).toBe(2);
  });

  it('in the tags of a finding are kept as a plain tag and judged without harm', async () => {
    const event = loadMacieEvent('sensitive-financial.json');
    const bucket = (event.detail as { resourcesAffected: { s3Bucket: { tags: unknown[] } } })
      .resourcesAffected.s3Bucket;
    bucket.tags = [
      { key: '__proto__', value: 'polluted' },
      { key: 'constructor', value: 'x' },
      ...bucket.tags,
    ];
    const finding = dir.write('f.json', JSON.stringify(event));

    const { code, stdout } = await runCli('check', finding, '--format', 'json');

    const [result] = (JSON.parse(stdout) as { results: Array<{ verdict: string; team: string }> })
      .results;
    expect(result).toEqual(expect.objectContaining({ verdict: 'violation', team: 'team-a' }));
    expect(code).toBe(0);
  });
});
