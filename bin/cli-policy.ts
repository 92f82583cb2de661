import type { Command } from 'commander';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import { EXIT_OK } from './check-command';
import { type Cli, document, flag, optionDefaulting, requiredOption } from './cli-program';
import { describePolicy, explainType, policySchemaText } from './policy-command';
import { policyDiffOptions, runPolicyDiff } from './policy-diff-command';
import { UsageError } from './usage-error';

const POLICY_DEFAULT = 'the shipped policies/default-policy.yaml';

/** `policy`: validates, explains and describes policy files. */
export function policyCommands(program: Command, cli: Cli): void {
  const policy = program
    .command('policy')
    .summary('validate a policy file, explain which level a data type needs, print the schema')
    .description(
      'Validates a policy file, explains which level a data type needs, or prints the JSON ' +
        'Schema of policy files.',
    );
  policyValidateCommand(policy, cli);
  policyExplainCommand(policy, cli);
  policySchemaCommand(policy, cli);
  policyDiffCommand(policy, cli);
}

interface DiffFlags {
  readonly findings: string[];
  readonly tags?: string;
  readonly format: string;
  readonly failOnNew?: string;
}

function policyDiffCommand(policy: Command, cli: Cli): void {
  const command = policy
    .command('diff')
    .summary('judge the same findings under two policies and show what changes, by team')
    .description(
      'Judges the same findings under two policies (a file, or "default" for the shipped ' +
        'one) and shows, by team, the violations that appear, go and change severity, with ' +
        'totals.\n\n' +
        'Exit 0; 1 when --fail-on-new is given and a new violation or a raised severity ' +
        'reaches it (stderr names each); 2 on usage errors, an invalid policy or unreadable input.',
    )
    .argument('<old>', 'the policy in force (a file, or default)')
    .argument('<new>', 'the policy proposed (a file, or default)')
    .addOption(requiredOption('--findings <paths...>', 'the findings to judge under both policies'))
    .addOption(
      optionDefaulting(
        '--tags <FILE>',
        'bucket tags, laid over the tags in the findings, as for check: {"<bucket>": {"<key>": "<value>"}}, ' +
          'the output of aws resourcegroupstaggingapi get-resources, or a directory of ' +
          'aws s3api get-bucket-tagging outputs named <bucket>.json',
        'none: the tags in the findings',
      ),
    )
    .option('--format <FORMAT>', 'the report: table, json, markdown', 'table')
    .addOption(
      optionDefaulting(
        '--fail-on-new <SEVERITY>',
        'exit 1 when a new or raised violation reaches this severity: Low, Medium, High, Critical',
        'never',
      ),
    )
    .action(
      cli.action((oldFile: string, newFile: string, flags: DiffFlags) =>
        runPolicyDiff(
          policyDiffOptions(
            {
              positionals: [oldFile, newFile],
              findings: flags.findings ?? [],
              tags: flags.tags,
              format: flags.format,
              failOnNew: flags.failOnNew,
            },
            process.env,
            cli.io,
          ),
        ),
      ),
    );
  document(command, {
    synopsis: [
      '<OLD> <NEW> --findings <path|dir|->... [--tags FILE]\n' +
        '[--format table|json|markdown] [--fail-on-new SEVERITY]',
    ],
    examples: [
      {
        does: 'See what a stricter policy would change for each team:',
        run: 'policy diff default policies/stricter.yaml --findings exports/',
      },
      {
        does: 'Fail a pull request that adds High or Critical violations:',
        run: 'policy diff default proposed.yaml --findings exports/ --fail-on-new High',
      },
    ],
  });
}

function policyValidateCommand(policy: Command, cli: Cli): void {
  const command = policy
    .command('validate')
    .summary('check a policy file')
    .description(
      'Checks a policy file and sums up its levels and what it names.\n\n' +
        'Exit 0; 2 on usage errors or an invalid policy (each problem named with file:line).',
    )
    .argument('[file]', `the policy file (default: ${POLICY_DEFAULT})`)
    .action(
      cli.action((file: string | undefined) => {
        cli.io.stdout(`${describePolicy(loadPolicy(file ?? DEFAULT_POLICY_FILE))}\n`);
        return EXIT_OK;
      }),
    );
  document(command, {
    synopsis: ['[FILE]'],
    examples: [
      { does: 'Check a policy before shipping it:', run: 'policy validate my-policy.yaml' },
    ],
  });
}

interface ExplainFlags {
  readonly policy?: string;
  readonly category?: string;
  readonly custom: boolean;
}

function policyExplainCommand(policy: Command, cli: Cli): void {
  const command = policy
    .command('explain')
    .summary('say which level a data type needs, and which policy entry says so')
    .description(
      'Says which level a data type needs and which policy entry says so. A managed data ' +
        "identifier's category comes from Macie's published list unless --category gives it.\n\n" +
        'Exit 0; 2 on usage errors, an invalid policy, or a type that is neither in the list ' +
        'nor named by the policy (the closest known names are suggested).',
    )
    .argument(
      '[type]',
      'a managed data identifier, e.g. USA_PASSPORT_NUMBER, or with --custom a custom one',
    )
    .addOption(optionDefaulting('--policy <FILE>', 'the policy to ask', POLICY_DEFAULT))
    .addOption(
      optionDefaulting(
        '--category <CATEGORY>',
        'the Macie category of an identifier missing from the list',
        "the category in Macie's list",
      ),
    )
    .addOption(flag('--custom', 'TYPE is a custom data identifier, matched by name'))
    .action(
      cli.action((type: string | undefined, flags: ExplainFlags) => {
        if (type === undefined) {
          throw new UsageError('policy explain takes one data type, e.g. USA_PASSPORT_NUMBER');
        }
        const loaded = loadPolicy(flags.policy ?? DEFAULT_POLICY_FILE);
        const explained = explainType(loaded, type, {
          custom: flags.custom,
          ...(flags.category === undefined ? {} : { category: flags.category }),
        });
        cli.io.stdout(`${explained}\n`);
        return EXIT_OK;
      }),
    );
  document(command, {
    synopsis: ['<TYPE> [--policy FILE] [--category CATEGORY] [--custom]'],
    examples: [
      { does: 'Which level a passport number needs:', run: 'policy explain USA_PASSPORT_NUMBER' },
      {
        does: 'The same for a custom data identifier:',
        run: 'policy explain employee-id --custom',
      },
    ],
  });
}

function policySchemaCommand(policy: Command, cli: Cli): void {
  const command = policy
    .command('schema')
    .summary('print the JSON Schema of policy files')
    .description(
      'Prints the JSON Schema of policy files, for editors that check YAML as it is typed.\n\n' +
        'Exit 0.',
    )
    .action(
      cli.action(() => {
        cli.io.stdout(policySchemaText());
        return EXIT_OK;
      }),
    );
  document(command, {
    synopsis: [''],
    examples: [
      { does: 'Save the schema for an editor:', run: 'policy schema > policy.schema.json' },
    ],
  });
}
