/**
 * What a scheduled Macie job is called and how often it may run: the command line's help
 * needs these without loading the Macie client.
 */

/** Name of the job `macie schedule` creates unless told otherwise. */
export const DEFAULT_JOB_NAME = 'bucket-classification-validator-scheduled-scan';

export const SCAN_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type ScanFrequency = (typeof SCAN_FREQUENCIES)[number];

/** Without `--frequency`: recurring jobs scan only what changed since the last run, so daily costs no more. */
export const DEFAULT_FREQUENCY: ScanFrequency = 'daily';
