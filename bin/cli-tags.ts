import type { Command } from 'commander';
import { DEFAULT_MEMBER_ROLE_NAME } from '../lib/settings';
import { type Cli, document, flag, optionDefaulting } from './cli-program';
import { FORMATS } from './report';

/**
 * The command's work, loaded when it runs: the AWS clients it uses then cost the other
 * commands (and `check` over a large export) no start-up time.
 */
function loadTagsCommand(): typeof import('./tags-command') {
  return require('./tags-command');
}

interface TagsCommandFlags {
  readonly tags?: string;
  readonly live: boolean;
  readonly account?: string;
  readonly accounts?: string;
  readonly organization: boolean;
  readonly memberRole?: string;
  readonly region?: string;
  readonly allowedTopicAccounts?: string;
  readonly requireTeam: boolean;
  readonly exempt?: string;
  readonly policy?: string;
  readonly format: string;
  readonly fail: boolean;
}

/** `tags`: which buckets the Config rule would find NON_COMPLIANT, and why. */
export function tagsCommand(program: Command, cli: Cli): void {
  const command = program
    .command('tags')
    .summary('say which buckets the AWS Config rule would find NON_COMPLIANT, and why')
    .description(
      'Says which buckets the AWS Config rule checkBucketTags would find NON_COMPLIANT, and ' +
        "why: the buckets of a tags file (the buckets' account is --account), or with --live " +
        "the caller's buckets in a region, read with the caller's AWS credentials (topics in " +
        'that account are looked up too). --accounts ID,... or --organization (its ACTIVE ' +
        'accounts, from AWS Organizations) sweep several accounts, each through its member ' +
        "role (the caller's own account with its own credentials), in one report with an " +
        'account column; an account that cannot be swept is a NOT_SWEPT row.\n\n' +
        'Exit 0; 1 with --fail when a bucket is NON_COMPLIANT; 2 on usage errors, an ' +
        'unreadable tags file, buckets that cannot be listed or an account not swept.',
    )
    .addOption(
      optionDefaulting(
        '--tags <FILE>',
        'bucket tags to judge offline: {"<bucket>": {"<key>": "<value>"}}, the output of ' +
          'aws resourcegroupstaggingapi get-resources, or a directory of ' +
          'aws s3api get-bucket-tagging outputs named <bucket>.json',
        'none: give --tags or --live',
      ),
    )
    .addOption(flag('--live', "judge the caller's buckets in AWS"))
    .addOption(
      optionDefaulting(
        '--account <ID>',
        "with --tags: the buckets' account",
        'none: needs --allowed-topic-accounts',
      ),
    )
    .addOption(
      optionDefaulting(
        '--accounts <ID,...>',
        'with --live: sweep these accounts, each through its member role',
        "the caller's account",
      ),
    )
    .addOption(flag('--organization', "with --live: sweep the organisation's ACTIVE accounts"))
    .addOption(
      optionDefaulting(
        '--member-role <NAME>',
        'the role assumed in each swept account',
        `MEMBER_ROLE_NAME, else ${DEFAULT_MEMBER_ROLE_NAME}`,
      ),
    )
    .addOption(optionDefaulting('--region <REGION>', 'with --live: the region', 'AWS_REGION'))
    .addOption(
      optionDefaulting(
        '--allowed-topic-accounts <ID,...>',
        'accounts whose topics buckets may name besides their own',
        'ALLOWED_TOPIC_ACCOUNTS',
      ),
    )
    .addOption(flag('--require-team', 'a bucket without the team tag is NON_COMPLIANT'))
    .addOption(
      optionDefaulting(
        '--exempt <PATTERN,...>',
        'buckets that need no declaration, by name (* for any run): NOT_APPLICABLE, as the ' +
          "rule's exemptBuckets parameter",
        'none',
      ),
    )
    .addOption(
      optionDefaulting(
        '--policy <FILE>',
        'the policy whose levels are valid',
        'the shipped policies/default-policy.yaml',
      ),
    )
    .option('--format <FORMAT>', `the report: ${FORMATS.join(', ')}`, 'table')
    .addOption(flag('--fail', 'exit 1 when a bucket is NON_COMPLIANT'))
    .action(
      cli.action((flags: TagsCommandFlags) => {
        const { runTagsCheck, tagsCheckOptions } = loadTagsCommand();
        const options = tagsCheckOptions(
          {
            tags: flags.tags,
            live: flags.live,
            account: flags.account,
            accounts: flags.accounts,
            organization: flags.organization,
            memberRole: flags.memberRole,
            region: flags.region,
            allowedTopicAccounts: flags.allowedTopicAccounts,
            requireTeam: flags.requireTeam,
            exempt: flags.exempt,
            policy: flags.policy,
            format: flags.format,
            fail: flags.fail,
          },
          cli.env,
          cli.io,
        );
        return runTagsCheck(options);
      }),
    );
  document(command, {
    synopsis: [
      '--tags FILE [--account ID] [--allowed-topic-accounts ID,...]\n' +
        '[--require-team] [--exempt PATTERN,...] [--policy FILE]\n' +
        '[--format table|json|csv] [--fail]',
      '--live [--accounts ID,... | --organization] [--member-role NAME]\n' +
        '[--region REGION] [--allowed-topic-accounts ID,...]\n' +
        '[--require-team] [--exempt PATTERN,...] [--policy FILE]\n' +
        '[--format table|json|csv] [--fail]',
    ],
    examples: [
      {
        does: 'Judge the example tags file for account 111122223333:',
        run: 'tags --tags examples/bucket-tags.json --account 111122223333',
      },
      {
        does: "Sweep the organisation's accounts and fail when a bucket is NON_COMPLIANT:",
        run: 'tags --live --organization --region eu-west-1 --fail',
      },
    ],
  });
}
