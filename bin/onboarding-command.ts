import { type TopicOptInSettings, topicOptInFromEnv } from '../lib/settings';
import { parseTopicArn, type TopicArn } from '../rules/topic-arn';
import { EXIT_OK } from './check-command';
import { UsageError } from './usage-error';

export const ONBOARDING_FORMATS = ['text', 'json'] as const;
export type OnboardingFormat = (typeof ONBOARDING_FORMATS)[number];

/** The IAM path of the central stack's function roles (serverless.yml). */
export const DEFAULT_CENTRAL_ROLE_PATH = '/bucket-classification/';

/** The flags of `onboarding topic-policy`, as parsed from the command line. */
export interface TopicPolicyFlags {
  readonly topic: string | undefined;
  readonly centralAccount: string | undefined;
  readonly rolePath: string | undefined;
  readonly format: string;
}

export interface TopicPolicyOptions {
  readonly topicArn: string;
  readonly topic: TopicArn;
  readonly centralAccountId: string;
  readonly rolePath: string;
  /** The tag the topic must carry to receive alerts (`TOPIC_OPT_IN_TAG_KEY`/`_VALUE`). */
  readonly optIn: TopicOptInSettings;
  readonly format: OnboardingFormat;
  readonly stdout: (text: string) => void;
}

/** One statement of an IAM resource policy (a topic's access policy, a key policy). */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: { readonly AWS: string };
  readonly Action: string | readonly string[];
  readonly Resource: string;
  readonly Condition: { readonly ArnLike: { readonly 'aws:PrincipalArn': string } };
}

/** What a team adds so that the central functions may publish to its topic. */
export interface TopicOnboarding {
  /** For the topic's access policy: the central roles may publish. */
  readonly statement: PolicyStatement;
  /** Opts the topic in to alerts. */
  readonly tagCommand: string;
  /** For the key policy of a customer managed KMS key the topic is encrypted with. */
  readonly kmsStatement: PolicyStatement;
}

const ACCOUNT_ID = /^\d{12}$/;
// IAM paths: "/" alone, or "/" then printable ASCII ending in "/"; at most 512 characters.
const IAM_PATH = /^\/(?:[\u0021-\u007e]*\/)?$/;

/**
 * Checks the flags of `onboarding topic-policy`; the opt-in tag comes from `env`
 * like the rest of the command line.
 *
 * @throws UsageError naming the option that is missing or malformed.
 */
export function topicPolicyOptions(
  flags: TopicPolicyFlags,
  env: NodeJS.ProcessEnv,
  io: Pick<TopicPolicyOptions, 'stdout'>,
): TopicPolicyOptions {
  if (flags.topic === undefined) {
    throw new UsageError('onboarding topic-policy needs --topic ARN (the team topic)');
  }
  const topic = parseTopicArn(flags.topic);
  if (topic === undefined) {
    throw new UsageError(
      `--topic must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); got "${flags.topic}"`,
    );
  }
  if (topic.name.endsWith('.fifo')) {
    throw new UsageError(
      `--topic is a FIFO topic, which refuses alerts (they have no message group): use a standard topic; got "${flags.topic}"`,
    );
  }
  if (flags.centralAccount === undefined) {
    throw new UsageError(
      'onboarding topic-policy needs --central-account ID (the account the central stack runs in)',
    );
  }
  if (!ACCOUNT_ID.test(flags.centralAccount)) {
    throw new UsageError(
      `--central-account must be a 12-digit account ID; got "${flags.centralAccount}"`,
    );
  }
  const rolePath = flags.rolePath ?? DEFAULT_CENTRAL_ROLE_PATH;
  if (rolePath.length > 512 || !IAM_PATH.test(rolePath)) {
    throw new UsageError(
      `--role-path must be an IAM path that starts and ends with / (printable ASCII, at most 512 characters), e.g. ${DEFAULT_CENTRAL_ROLE_PATH}; got "${rolePath}"`,
    );
  }
  if (!(ONBOARDING_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(
      `--format must be one of ${ONBOARDING_FORMATS.join(', ')}; got "${flags.format}"`,
    );
  }
  let optIn: TopicOptInSettings;
  try {
    optIn = topicOptInFromEnv(env);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  return {
    topicArn: flags.topic.trim(),
    topic,
    centralAccountId: flags.centralAccount,
    rolePath,
    optIn,
    format: flags.format as OnboardingFormat,
    stdout: io.stdout,
  };
}

/**
 * The topic-policy statement, the opt-in tag command and the key-policy statement
 * for one team topic. Both statements let the central account's roles under the
 * role path, and only those, act: the principal is the central account, narrowed by
 * `aws:PrincipalArn`, so one statement covers every publishing function and outlives
 * their roles being replaced (a role ARN as principal would be rewritten to a
 * unique ID and stop matching once the role is recreated).
 */
export function topicOnboarding(options: TopicPolicyOptions): TopicOnboarding {
  const { partition } = options.topic;
  const central = {
    Principal: { AWS: `arn:${partition}:iam::${options.centralAccountId}:root` },
    Condition: {
      ArnLike: {
        'aws:PrincipalArn': `arn:${partition}:iam::${options.centralAccountId}:role${options.rolePath}*`,
      },
    },
  };
  return {
    statement: {
      Sid: 'AllowBucketClassificationPublish',
      Effect: 'Allow',
      Principal: central.Principal,
      Action: 'sns:Publish',
      Resource: options.topicArn,
      Condition: central.Condition,
    },
    tagCommand: `aws sns tag-resource --resource-arn ${options.topicArn} --tags ${shellWord(
      `Key=${options.optIn.key},Value=${options.optIn.value}`,
    )}`,
    kmsStatement: {
      Sid: 'AllowBucketClassificationKeyUse',
      Effect: 'Allow',
      Principal: central.Principal,
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      // In a key policy, "*" is the key the policy belongs to.
      Resource: '*',
      Condition: central.Condition,
    },
  };
}

/** Prints what the team adds; exit 0. */
export function runTopicPolicy(options: TopicPolicyOptions): number {
  const onboarding = topicOnboarding(options);
  if (options.format === 'json') {
    options.stdout(`${JSON.stringify(onboarding, null, 2)}\n`);
    return EXIT_OK;
  }
  const { statement, tagCommand, kmsStatement } = onboarding;
  options.stdout(
    [
      `1. Add this statement to the access policy of ${options.topicArn}`,
      `   (beside the statements it has): it lets the roles under ${options.rolePath} in`,
      `   account ${options.centralAccountId} publish alerts to the topic.`,
      '',
      JSON.stringify(statement, null, 2),
      '',
      '2. Opt the topic in to alerts: without this tag it receives none.',
      '',
      tagCommand,
      '',
      '3. Only if the topic is encrypted with a customer managed KMS key: the key policy',
      '   must let the same roles use the key, or the publishes are refused. Add this',
      "   statement to the key's policy:",
      '',
      JSON.stringify(kmsStatement, null, 2),
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}

/** A shell word: as it is when it is safe, else in single quotes (tag text holds no quote). */
function shellWord(text: string): string {
  return /^[\w.:/=+@,-]+$/.test(text) ? text : `'${text}'`;
}
