import type { Command } from 'commander';
import { type Cli, document, optionDefaulting } from './cli-program';
import { DEFAULT_STAGE, validateFindingFunctionName } from './smoke-names';

/**
 * The command's work, loaded when it runs: the AWS clients it uses then cost the other
 * commands (and `check` over a large export) no start-up time.
 */
function loadSmokeCommand(): typeof import('./smoke-command') {
  return require('./smoke-command');
}

interface SmokeCommandFlags {
  readonly stage?: string;
  readonly region?: string;
  readonly function?: string;
  readonly topic?: string;
}

/** `smoke`: proves a deployment end to end with a sample finding. */
export function smokeCommand(program: Command, cli: Cli): void {
  const command = program
    .command('smoke')
    .summary('prove a deployment: send validateFinding a sample finding and see the notice go out')
    .description(
      'Invokes the deployed validateFinding function (Lambda Invoke, synchronously) with a ' +
        'sample Macie finding (sample: true) of a bucket tagged Public that holds a U.S. Social ' +
        'Security number, and reports where the notice went. Without --topic the bucket names ' +
        'no team topic, so the notice goes to the central security topic. Sample findings stay ' +
        'out of the ledger and the metrics. Needs lambda:InvokeFunction on the function.\n\n' +
        'Exit 0 when the notice went out; 1 when the function ran but sent no notice or failed ' +
        '(its error and the end of its log on stderr); 2 on usage errors, a function that is ' +
        'not found, or any other AWS error.',
    )
    .addOption(
      optionDefaulting(
        '--stage <STAGE>',
        'the Serverless stage the stack was deployed to',
        `${DEFAULT_STAGE}: ${validateFindingFunctionName(DEFAULT_STAGE)}`,
      ),
    )
    .addOption(optionDefaulting('--region <REGION>', 'the region of the stack', 'AWS_REGION'))
    .addOption(
      optionDefaulting(
        '--function <NAME>',
        'the function to invoke (a name or ARN), instead of the one of --stage',
        `${validateFindingFunctionName('<stage>')}`,
      ),
    )
    .addOption(
      optionDefaulting(
        '--topic <ARN>',
        "a team's SNS topic for the sample bucket to name; the bucket is then in that topic's account",
        "none: the notice goes to central security; the bucket is in the caller's account",
      ),
    )
    .action(
      cli.action((flags: SmokeCommandFlags) => {
        const { runSmoke, smokeOptions, SMOKE_DEPS } = loadSmokeCommand();
        return runSmoke(
          smokeOptions(
            {
              stage: flags.stage,
              region: flags.region,
              function: flags.function,
              topic: flags.topic,
            },
            cli.env,
            cli.io,
          ),
          SMOKE_DEPS,
        );
      }),
    );
  document(command, {
    synopsis: ['[--stage STAGE | --function NAME] [--region REGION] [--topic ARN]'],
    examples: [
      {
        does: 'Prove the prod stack in eu-west-1 delivers to central security:',
        run: 'smoke --stage prod --region eu-west-1',
      },
      {
        does: "Prove a team's topic receives notices:",
        run: 'smoke --stage prod --region eu-west-1 --topic arn:aws:sns:eu-west-1:111122223333:payments-alerts',
      },
    ],
  });
}
