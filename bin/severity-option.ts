import { SEVERITIES, type Severity } from '../policies/policy';
import { UsageError } from './usage-error';

/**
 * A severity given to `option` in any case (`high`, `HIGH`), as the policy spells it.
 *
 * @throws UsageError naming the option and the severities it takes.
 */
export function severityOption(option: string, text: string): Severity {
  const severity = SEVERITIES.find((s) => s.toLowerCase() === text.trim().toLowerCase());
  if (severity === undefined) {
    throw new UsageError(`${option} must be one of ${SEVERITIES.join(', ')}; got "${text}"`);
  }
  return severity;
}
