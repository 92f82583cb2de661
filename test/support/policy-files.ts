/** Policy file texts for tests of the policy loader and its limits. */

/** The smallest complete policy: four levels, one category, every severity setting. */
export const VALID_POLICY = `levels:
  - name: Public
  - name: Internal
  - name: Confidential
  - name: Restricted
categories:
  FINANCIAL_INFORMATION: Confidential
unknownCategory: Restricted
customIdentifiers:
  default: Confidential
severity:
  levelGap: [Medium, High, Critical]
  forbidden: Critical
  unclassified: High
  publicExposureRaise: 1
`;

/**
 * Two levels, personal information allowed at the lower one: an unclassified
 * bucket holding only personal data breaks nothing even at the lowest level.
 */
export const LENIENT_TWO_LEVEL_POLICY = [
  'levels: [{name: A}, {name: B}]',
  'categories: {PERSONAL_INFORMATION: A}',
  'unknownCategory: B',
  'customIdentifiers: {default: B}',
  'severity: {levelGap: [Medium], forbidden: Critical, unclassified: High, publicExposureRaise: 0}',
].join('\n');
