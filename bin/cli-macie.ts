import { type Command, Option } from 'commander';
import { DEFAULT_FREQUENCY, DEFAULT_JOB_NAME, SCAN_FREQUENCIES } from '../lib/macie-schedule';
import { type Cli, document, flag, optionDefaulting } from './cli-program';

export const MACIE_FORMATS = ['text', 'json'] as const;
export type MacieFormat = (typeof MACIE_FORMATS)[number];

/**
 * The command's work, loaded when it runs: the AWS clients it uses then cost the other
 * commands (and `check` over a large export) no start-up time.
 */
function loadMacieCommand(): typeof import('./macie-command') {
  return require('./macie-command');
}

/** `macie`: sets Macie up for the validator. */
export function macieCommands(program: Command, cli: Cli): void {
  const macie = program
    .command('macie')
    .summary('create the scheduled Macie classification job')
    .description('Sets up what CloudFormation cannot: the scheduled Macie classification job.');
  macieScheduleCommand(macie, cli);
}

interface ScheduleFlags {
  readonly frequency?: string;
  readonly excludeTag: string[];
  readonly name?: string;
  readonly region?: string;
  readonly dryRun: boolean;
  readonly format: string;
  readonly organization: boolean;
  readonly accounts: string[];
}

/** Each use of a repeatable option, in order. */
function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function macieScheduleCommand(macie: Command, cli: Cli): void {
  const command = macie
    .command('schedule')
    .summary('create the scheduled job that scans every bucket of the account(s), once')
    .description(
      "Creates the scheduled Macie classification job that scans every bucket of the caller's " +
        'account (CloudFormation has no resource for it), once: a job of that name that is not ' +
        'cancelled is left alone. --accounts scans those accounts instead; --organization ' +
        '(from the Macie administrator account) its enabled member accounts and its own, or the ' +
        '--accounts among them. --dry-run prints the job and the accounts and creates nothing.\n\n' +
        'Exit 0; 1 when a job of that name covers other accounts; 2 on usage errors, no enabled ' +
        'member for --organization, Macie not enabled in the region or any other AWS error.',
    )
    .addOption(
      optionDefaulting(
        '--frequency <FREQUENCY>',
        `how often the job runs: ${SCAN_FREQUENCIES.join(', ')}`,
        DEFAULT_FREQUENCY,
      ),
    )
    .addOption(
      new Option('--exclude-tag <KEY=VALUE>', 'skip buckets with this tag; repeatable')
        .argParser(collect)
        .default([], 'none'),
    )
    .addOption(flag('--organization', "scan the Macie organisation's enabled member accounts too"))
    .addOption(
      new Option(
        '--accounts <ID,...>',
        'scan these accounts (with --organization: these among the members); repeatable',
      )
        .argParser(collect)
        .default([], "the caller's account"),
    )
    .addOption(optionDefaulting('--name <NAME>', 'the job name', DEFAULT_JOB_NAME))
    .addOption(optionDefaulting('--region <REGION>', 'the region', 'AWS_REGION'))
    .addOption(flag('--dry-run', 'print the job and the accounts; create nothing'))
    .option('--format <FORMAT>', `the output: ${MACIE_FORMATS.join(', ')}`, 'text')
    .action(
      cli.action((flags: ScheduleFlags) => {
        const { macieScheduleOptions, runMacieSchedule } = loadMacieCommand();
        const options = macieScheduleOptions(
          {
            frequency: flags.frequency,
            excludeTags: flags.excludeTag,
            name: flags.name,
            region: flags.region,
            dryRun: flags.dryRun,
            format: flags.format,
            organization: flags.organization,
            accounts: flags.accounts,
          },
          cli.env,
          cli.io,
        );
        return runMacieSchedule(options);
      }),
    );
  document(command, {
    synopsis: [
      '[--frequency daily|weekly|monthly] [--exclude-tag KEY=VALUE]...\n' +
        '[--organization] [--accounts ID,...]\n' +
        '[--name NAME] [--region REGION] [--dry-run] [--format text|json]',
    ],
    examples: [
      {
        does: 'See what would be created for the organisation, weekly, skipping scratch buckets:',
        run: 'macie schedule --organization --frequency weekly --exclude-tag Scratch=true --dry-run',
      },
    ],
  });
}
