/**
 * The IAM condition that lets the functions publish to a team's topic only while it
 * carries the opt-in tag: `aws:ResourceTag/<topicOptInTagKey>` equal to
 * `topicOptInTagValue` (serverless.yml params, the same the functions read as
 * TOPIC_OPT_IN_TAG_KEY and TOPIC_OPT_IN_TAG_VALUE). The key is part of the condition
 * key's name, and the framework does not resolve variables in keys, so this variable
 * resolver builds the StringEquals block:
 *
 *   StringEquals: ${file(./scripts/topic-opt-in-condition.js):thisAccount}
 *   StringEquals: ${file(./scripts/topic-opt-in-condition.js):allowedAccounts}
 *
 * `allowedAccounts` adds the accounts whose topics may be used (this one and the
 * AllowedTopicAccounts parameter), as one StringEquals block must hold both;
 * `organization` the organisation whose accounts' topics may be used
 * (`aws:ResourceOrgID`, the OrganizationId parameter).
 */

// SNS tag keys and values: letters, digits, spaces and _ . : / = + - @.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;

async function optInTag(resolveVariable) {
  const key = String(await resolveVariable('param:topicOptInTagKey')).trim();
  const value = String(await resolveVariable('param:topicOptInTagValue')).trim();
  if (key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith('aws:')) {
    throw new Error(
      `param topicOptInTagKey must be an SNS tag key (1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:); got "${key}"`,
    );
  }
  if (value.length > 256 || !TAG_TEXT.test(value)) {
    throw new Error(
      `param topicOptInTagValue must be an SNS tag value (1-256 letters, digits, spaces or _ . : / = + - @); got "${value}"`,
    );
  }
  return { [`aws:ResourceTag/${key}`]: value };
}

module.exports = {
  /** Topics of this account that opted in. */
  thisAccount: async ({ resolveVariable }) => optInTag(resolveVariable),
  /** Topics of this account and of the allowed accounts that opted in. */
  allowedAccounts: async ({ resolveVariable }) => ({
    'aws:ResourceAccount': {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not JavaScript.
      'Fn::Split': [',', { 'Fn::Sub': '${AWS::AccountId},${AllowedTopicAccounts}' }],
    },
    ...(await optInTag(resolveVariable)),
  }),
  /** Topics of the organisation's accounts that opted in. */
  organization: async ({ resolveVariable }) => ({
    'aws:ResourceOrgID': { Ref: 'OrganizationId' },
    ...(await optInTag(resolveVariable)),
  }),
};
