import { runCli as run } from '../../support/cli';

/** Every command and subcommand, with the long options its help must list. */
const COMMANDS: ReadonlyArray<{ readonly path: string; readonly options: readonly string[] }> = [
  {
    path: 'check',
    options: [
      '--live',
      '--since',
      '--region',
      '--policy',
      '--tags',
      '--format',
      '--summary',
      '--severity',
      '--verdict',
      '--team',
      '--fail-on',
      '--max-record-bytes',
      '--max-input-bytes',
      '--concurrency',
      '--workers',
    ],
  },
  {
    path: 'tags',
    options: [
      '--tags',
      '--live',
      '--account',
      '--accounts',
      '--organization',
      '--member-role',
      '--region',
      '--allowed-topic-accounts',
      '--require-team',
      '--exempt',
      '--policy',
      '--format',
      '--fail',
    ],
  },
  {
    path: 'onboarding topic-policy',
    options: ['--topic', '--central-account', '--role-path', '--format'],
  },
  { path: 'policy validate', options: [] },
  { path: 'policy explain', options: ['--policy', '--category', '--custom'] },
  { path: 'policy schema', options: [] },
  { path: 'policy diff', options: ['--findings', '--tags', '--format', '--fail-on-new'] },
  { path: 'waivers validate', options: [] },
  { path: 'waivers list', options: ['--format', '--expiring'] },
  {
    path: 'macie schedule',
    options: [
      '--frequency',
      '--exclude-tag',
      '--organization',
      '--accounts',
      '--name',
      '--region',
      '--dry-run',
      '--format',
    ],
  },
  {
    path: 'ledger show',
    options: ['--table', '--region', '--policy', '--waivers', '--team', '--bucket', '--format'],
  },
  {
    path: 'ledger resolve',
    options: [
      '--table',
      '--region',
      '--policy',
      '--waivers',
      '--reason',
      '--account',
      '--by',
      '--notify',
      '--no-notify',
    ],
  },
  { path: 'smoke', options: ['--stage', '--region', '--function', '--topic'] },
];

/** The lines of a help section ("Options:"), up to the blank line that ends it. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Each option of the Options section, its wrapped description joined into one line. */
function optionItems(help: string): Map<string, string> {
  const items = new Map<string, string>();
  let current: string | undefined;
  for (const line of section(help, 'Options:')) {
    const long = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line)?.[1];
    if (long !== undefined) {
      current = long;
      items.set(long, line.trim());
    } else if (current !== undefined) {
      items.set(current, `${items.get(current)} ${line.trim()}`);
    }
  }
  return items;
}

describe('help', () => {
  describe.each(COMMANDS)('$path', ({ path, options }) => {
    const argv = path.split(' ');

    it.each(['--help', '-h'])(
      'prints usage, options and an example for %s, exit 0',
      async (flag) => {
        const { code, stdout, stderr } = await run(...argv, flag);

        expect(stdout.startsWith(`Usage:\n  bucket-classification ${path}`)).toBe(true);
        expect([...optionItems(stdout).keys()].sort()).toEqual([...options, '--help'].sort());
        const examples = section(stdout, 'Examples:');
        expect(examples.some((line) => line.startsWith(`    bucket-classification ${path}`))).toBe(
          true,
        );
        expect(stderr).toBe('');
        expect(code).toBe(0);
      },
    );

    it('gives every option its default, or says it is required', async () => {
      const { stdout } = await run(...argv, '--help');

      const undocumented = [...optionItems(stdout)]
        .filter(([option]) => option !== '--help' && option !== '--no-notify')
        .filter(([, text]) => !/\((default: [^)]+|required)\)/.test(text))
        .map(([option]) => option);
      expect(undocumented).toEqual([]);
    });

    it('is also printed by "help"', async () => {
      const [first, ...rest] = argv;
      const viaFlag = await run(...argv, '--help');

      const viaCommand =
        rest.length === 0
          ? await run('help', first ?? '')
          : await run(first ?? '', 'help', ...rest);

      expect(viaCommand.stdout).toBe(viaFlag.stdout);
      expect(viaCommand.code).toBe(0);
    });
  });

  it('shows the defaults as they are', async () => {
    const check = optionItems((await run('check', '--help')).stdout);
    const tags = optionItems((await run('tags', '--help')).stdout);
    const macie = optionItems((await run('macie', 'schedule', '--help')).stdout);

    expect(check.get('--format')).toContain('(default: "table")');
    expect(check.get('--since')).toContain('(default: 7d)');
    expect(check.get('--region')).toContain(
      "(default: AWS_REGION, else AWS_DEFAULT_REGION, else the AWS profile's)",
    );
    expect(check.get('--max-record-bytes')).toContain(
      '(default: BUCKET_CLASSIFICATION_MAX_RECORD_BYTES, else 64MiB)',
    );
    expect(check.get('--concurrency')).toContain('(default: "4")');
    expect(check.get('--workers')).toContain('(default: automatic: one per core up to 4');
    expect(tags.get('--member-role')).toContain(
      '(default: MEMBER_ROLE_NAME, else BucketClassificationMember)',
    );
    expect(tags.get('--fail')).toContain('(default: false)');
    expect(macie.get('--frequency')).toContain('(default: daily)');
  });

  it('tells how to read from S3 in the help of check, with an example', async () => {
    const { stdout } = await run('check', '--help');

    expect(stdout).toContain('s3://BUCKET/PREFIX/');
    expect(stdout).toMatch(/s3:ListBucket,\s+s3:GetObject\s+and\s+kms:Decrypt/);
    expect(section(stdout, 'Examples:')).toContain(
      '    bucket-classification check s3://acme-macie-results/AWSLogs/111122223333/Macie/us-east-1/ --fail-on high',
    );
  });

  it.each(['onboarding', 'policy', 'waivers', 'macie', 'ledger'])(
    'lists the subcommands of %s with an example, exit 0',
    async (group) => {
      const { code, stdout } = await run(group, '--help');

      expect(stdout.startsWith(`Usage:\n  bucket-classification ${group} `)).toBe(true);
      expect(section(stdout, 'Commands:').length).toBeGreaterThan(1);
      expect(section(stdout, 'Examples:').join('\n')).toContain(`bucket-classification ${group} `);
      expect(code).toBe(0);
    },
  );

  it('lists every command in the overall help', async () => {
    const { code, stdout } = await run('--help');

    const commands = section(stdout, 'Commands:').map((line) => /^ {2}(\w[\w-]*)/.exec(line)?.[1]);
    expect(commands.filter((name) => name !== undefined)).toEqual([
      'check',
      'tags',
      'onboarding',
      'policy',
      'waivers',
      'macie',
      'ledger',
      'smoke',
      'help',
    ]);
    expect(stdout).toContain('bucket-classification <command> [<subcommand>] --help');
    expect(code).toBe(0);
  });
});

describe('usage errors name what is wrong', () => {
  it.each([
    {
      given: 'a misspelt option',
      argv: ['check', 'x.json', '--formt', 'json'],
      message: "Unknown option '--formt' (did you mean --format?)",
    },
    {
      given: 'a misspelt flag of tags',
      argv: ['tags', '--live', '--require-tam'],
      message: "Unknown option '--require-tam' (did you mean --require-team?)",
    },
    {
      given: 'a misspelt option of a subcommand',
      argv: ['ledger', 'show', '--tabel', 'ledger'],
      message: "Unknown option '--tabel' (did you mean --table?)",
    },
    {
      given: 'a misspelt command',
      argv: ['chek', 'x.json'],
      message: 'unknown command "chek" (did you mean check?)',
    },
    {
      given: 'a misspelt subcommand',
      argv: ['policy', 'explian', 'NAME'],
      message:
        'unknown policy subcommand "explian" (expected validate, explain, schema or diff) (did you mean explain?)',
    },
    {
      given: 'help of an unknown command',
      argv: ['help', 'tag'],
      message: 'unknown command "tag" (did you mean tags?)',
    },
    {
      given: 'a concurrency that is not a number of objects',
      argv: ['check', 's3://results/AWSLogs/', '--concurrency', '0'],
      message: '--concurrency must be a whole number from 1 to 64; got "0"',
    },
    {
      given: 'a number of workers past the most',
      argv: ['check', 'x.jsonl', '--workers', '65'],
      message: '--workers must be a whole number from 0 to 64 (0: no worker threads); got "65"',
    },
    {
      given: 'a number of workers that is not a whole number',
      argv: ['check', 'x.jsonl', '--workers', '1.5'],
      message: '--workers must be a whole number from 0 to 64 (0: no worker threads); got "1.5"',
    },
    {
      given: 'an option without its value',
      argv: ['check', 'x.json', '--format'],
      message: "option '--format <FORMAT>' argument missing",
    },
  ])('exits 2 for $given', async ({ argv, message }) => {
    const { code, stdout, stderr } = await run(...argv);

    expect(stderr).toContain(`bucket-classification: ${message}\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('suggests nothing for an option far from every option', async () => {
    const { code, stderr } = await run('check', 'x.json', '--colour');

    expect(stderr).toContain("bucket-classification: Unknown option '--colour'\n");
    expect(code).toBe(2);
  });
});
