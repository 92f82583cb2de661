/**
 * The opt-in tag is set in one place, the stack params `topicOptInTagKey` and
 * `topicOptInTagValue`: the functions' settings and the publishing roles' IAM
 * condition both follow them, and a value that cannot be an SNS tag fails packaging.
 * Each case packages a copy of the project offline, as CI does.
 */
import { type PackagedStack, packageStack } from '../support/package-stack';

interface Template {
  readonly Resources: Record<string, { readonly Properties: Record<string, unknown> }>;
}

const PUBLISHERS = [
  ['ValidateFindingLambdaFunction', 'ValidateFindingRole'],
  ['TrackBucketChangesLambdaFunction', 'TrackBucketChangesRole'],
  ['SummarizeLedgerLambdaFunction', 'SummarizeLedgerRole'],
] as const;

describe('the opt-in tag params', () => {
  let stack: PackagedStack;
  let template: Template;

  beforeAll(() => {
    stack = packageStack('dev', {
      params: { topicOptInTagKey: 'security/alerts', topicOptInTagValue: 'Accepted' },
    });
    template = stack.template<Template>();
  }, 300_000);

  afterAll(() => stack?.remove());

  const variables = (functionId: string): Record<string, unknown> => {
    const environment = template.Resources[functionId]?.Properties.Environment as
      | { Variables: Record<string, unknown> }
      | undefined;
    if (!environment) throw new Error(`the template has no environment for ${functionId}`);
    return environment.Variables;
  };

  it.each([...PUBLISHERS.map(([fn]) => fn), 'CheckBucketTagsLambdaFunction'])(
    'set TOPIC_OPT_IN_TAG_KEY and TOPIC_OPT_IN_TAG_VALUE of %s',
    (functionId) => {
      expect(variables(functionId)).toEqual(
        expect.objectContaining({
          TOPIC_OPT_IN_TAG_KEY: 'security/alerts',
          TOPIC_OPT_IN_TAG_VALUE: 'Accepted',
        }),
      );
    },
  );

  it.each(PUBLISHERS.map(([, role]) => role))(
    'set the aws:ResourceTag condition on the team-topic sns:Publish of %s',
    (role) => {
      const text = JSON.stringify(template.Resources[role]?.Properties.Policies);

      // Three branches: allowed accounts, the organisation, this account.
      expect(text.match(/"aws:ResourceTag\/security\/alerts":"Accepted"/g)).toHaveLength(3);
      expect(text).not.toContain('AcceptsClassificationAlerts');
    },
  );
});

describe('an opt-in tag param that cannot be an SNS tag', () => {
  it('fails packaging, naming the param', () => {
    let failure = '';
    try {
      packageStack('dev', { params: { topicOptInTagKey: 'aws:reserved' } }).remove();
    } catch (error) {
      failure = (error as Error).message;
    }

    expect(failure).toContain('param topicOptInTagKey must be an SNS tag key');
  }, 300_000);
});
