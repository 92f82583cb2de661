import { type Command, Option } from 'commander';
import { type Cli, document, optionDefaulting, requiredOption } from './cli-program';
import { FORMATS } from './report';
import { UsageError } from './usage-error';

/**
 * The command's work, loaded when it runs: the AWS clients it uses then cost the other
 * commands (and `check` over a large export) no start-up time.
 */
function loadLedgerCommand(): typeof import('./ledger-command') {
  return require('./ledger-command');
}

/** `ledger`: reads and settles the violation ledger. */
export function ledgerCommands(program: Command, cli: Cli): void {
  const ledger = program
    .command('ledger')
    .summary('show the violation ledger, or record that a bucket was dealt with')
    .description(
      'Shows the violation ledger (the DynamoDB table the functions keep), or records that a ' +
        "bucket's open violations were dealt with.",
    );
  ledgerShowCommand(ledger, cli);
  ledgerResolveCommand(ledger, cli);
}

interface CommonFlags {
  readonly table?: string;
  readonly region?: string;
  readonly policy?: string;
  readonly waivers?: string;
}

/** The options both ledger commands take. */
function withCommonOptions(command: Command): Command {
  return command
    .addOption(optionDefaulting('--table <NAME>', "the ledger's DynamoDB table", 'LEDGER_TABLE'))
    .addOption(optionDefaulting('--region <REGION>', "the table's region", 'AWS_REGION'))
    .addOption(
      optionDefaulting(
        '--policy <FILE>',
        'the policy to judge by',
        'POLICY_FILE, else the shipped policies/default-policy.yaml',
      ),
    )
    .addOption(
      optionDefaulting(
        '--waivers <FILE>',
        'the waivers to apply',
        'WAIVERS_FILE, else the waivers shipped beside the default policy',
      ),
    );
}

interface ShowFlags extends CommonFlags {
  readonly team?: string;
  readonly bucket?: string;
  readonly format: string;
}

function ledgerShowCommand(ledger: Command, cli: Cli): void {
  const command = withCommonOptions(
    ledger
      .command('show')
      .summary('one row per bucket of the violation ledger, judged now')
      .description(
        'One row per bucket of the violation ledger, judged now.\n\n' +
          'Exit 0; 2 on usage errors or any AWS error.',
      ),
  )
    .addOption(optionDefaulting('--team <TEAM>', "only this team's buckets", 'every team'))
    .addOption(optionDefaulting('--bucket <BUCKET>', 'only this bucket', 'every bucket'))
    .option('--format <FORMAT>', `the output: ${FORMATS.join(', ')}`, 'table')
    .action(
      cli.action((flags: ShowFlags) => {
        const { ledgerShowOptions, runLedgerShow } = loadLedgerCommand();
        const options = ledgerShowOptions(
          {
            table: flags.table,
            region: flags.region,
            policy: flags.policy,
            waivers: flags.waivers,
            team: flags.team,
            bucket: flags.bucket,
            format: flags.format,
          },
          cli.env,
          cli.io,
        );
        return runLedgerShow(options);
      }),
    );
  document(command, {
    synopsis: [
      '[--table NAME] [--team T] [--bucket B]\n' +
        '[--format table|json|csv] [--region R] [--policy FILE] [--waivers FILE]',
    ],
    examples: [
      {
        does: "The payments team's buckets, as CSV:",
        run: 'ledger show --table bucket-classification-ledger --team payments --format csv',
      },
    ],
  });
}

interface ResolveFlags extends CommonFlags {
  readonly reason?: string;
  readonly account?: string;
  readonly by?: string;
}

function ledgerResolveCommand(ledger: Command, cli: Cli): void {
  let notifyGiven = false;
  let noNotifyGiven = false;
  const command = withCommonOptions(
    ledger
      .command('resolve')
      .summary("record that a bucket's open violations were dealt with, and tell the team")
      .description(
        "Records that a bucket's open violations were dealt with (who: --by; why: --reason) " +
          'and sends the team the resolved notice (needs SECURITY_TOPIC_ARN) unless --no-notify.\n\n' +
          'Exit 0; 2 on usage errors, a bucket not in the ledger (or in it for several accounts ' +
          'without --account) or any AWS error.',
      )
      .argument('[bucket]', 'the bucket whose violations were dealt with'),
  )
    .addOption(requiredOption('--reason <TEXT>', 'why it is resolved'))
    .addOption(
      optionDefaulting(
        '--account <ID>',
        "the bucket's account, when the ledger holds the bucket for several",
        'the only account the ledger holds it for',
      ),
    )
    .addOption(optionDefaulting('--by <NAME>', 'who dealt with it', "the caller's AWS identity"))
    .addOption(new Option('--notify', 'send the team the resolved notice').default(true))
    .addOption(new Option('--no-notify', 'record the resolution and send no notice'))
    .on('option:notify', () => {
      notifyGiven = true;
    })
    .on('option:no-notify', () => {
      noNotifyGiven = true;
    })
    .action(
      cli.action((bucket: string | undefined, flags: ResolveFlags & { notify: boolean }) => {
        if (notifyGiven && noNotifyGiven) {
          throw new UsageError('ledger resolve takes --notify or --no-notify, not both');
        }
        const { ledgerResolveOptions, runLedgerResolve } = loadLedgerCommand();
        const options = ledgerResolveOptions(
          {
            table: flags.table,
            region: flags.region,
            policy: flags.policy,
            waivers: flags.waivers,
            bucket,
            account: flags.account,
            reason: flags.reason,
            by: flags.by,
            notify: flags.notify,
          },
          cli.env,
          cli.io,
        );
        return runLedgerResolve(options);
      }),
    );
  document(command, {
    synopsis: [
      '<bucket> --reason TEXT [--account ID] [--table NAME]\n' +
        '[--by NAME] [--notify|--no-notify] [--region R] [--policy FILE]\n' +
        '[--waivers FILE]',
    ],
    examples: [
      {
        does: 'Record that the exports were deleted, and tell the team:',
        run: 'ledger resolve acme-payments-exports --reason "exports deleted" --table bucket-classification-ledger',
      },
    ],
  });
}
