import type { Command } from 'commander';
import { type Cli, document, optionDefaulting, requiredOption } from './cli-program';
import {
  DEFAULT_CENTRAL_ROLE_PATH,
  ONBOARDING_FORMATS,
  runTopicPolicy,
  topicPolicyOptions,
} from './onboarding-command';

/** `onboarding`: what a team adds to take part. */
export function onboardingCommands(program: Command, cli: Cli): void {
  const onboarding = program
    .command('onboarding')
    .summary('print what a team adds so that the central functions may reach it')
    .description('Prints what a team adds so that the central functions may reach it.');
  topicPolicyCommand(onboarding, cli);
}

interface TopicPolicyCommandFlags {
  readonly topic?: string;
  readonly centralAccount?: string;
  readonly rolePath?: string;
  readonly format: string;
}

function topicPolicyCommand(onboarding: Command, cli: Cli): void {
  const command = onboarding
    .command('topic-policy')
    .summary(
      "print the topic-policy statement that lets the central roles publish to a team's topic",
    )
    .description(
      'What a team adds so that the central functions may publish to its topic: the ' +
        "topic-policy statement for the central account's roles under --role-path, the command " +
        'that tags the topic to opt in (TOPIC_OPT_IN_TAG_KEY/_VALUE), and the key-policy ' +
        'statement a topic encrypted with a customer managed KMS key needs.\n\n' +
        'Exit 0; 2 on usage errors.',
    )
    .addOption(requiredOption('--topic <ARN>', "the team's SNS topic"))
    .addOption(requiredOption('--central-account <ID>', 'the account the central stack runs in'))
    .addOption(
      optionDefaulting(
        '--role-path <PATH>',
        "the IAM path of the central stack's roles",
        DEFAULT_CENTRAL_ROLE_PATH,
      ),
    )
    .option('--format <FORMAT>', `the output: ${ONBOARDING_FORMATS.join(', ')}`, 'text')
    .action(
      cli.action((flags: TopicPolicyCommandFlags) => {
        const options = topicPolicyOptions(
          {
            topic: flags.topic,
            centralAccount: flags.centralAccount,
            rolePath: flags.rolePath,
            format: flags.format,
          },
          cli.env,
          cli.io,
        );
        return runTopicPolicy(options);
      }),
    );
  document(command, {
    synopsis: [
      '--topic ARN --central-account ID\n[--role-path /bucket-classification/] [--format text|json]',
    ],
    examples: [
      {
        does: 'Print the statement, the opt-in tag command and the KMS key statement:',
        run: 'onboarding topic-policy --topic arn:aws:sns:eu-west-1:111122223333:payments-alerts --central-account 999988887777',
      },
    ],
  });
}
