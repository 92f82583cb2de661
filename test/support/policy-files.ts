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
