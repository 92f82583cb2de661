/**
 * One tag value far longer than AWS allows (2 MiB), carried by 300 findings: the
 * report is still produced, in bounded size, with the value cut.
 */
import { runCli } from '../../support/cli';
import { loadMacieEvent } from '../../support/fixtures';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const BUCKET = 'team-a-ledger';
const TWO_MIB = 2 * 1024 * 1024;

interface JsonResult {
  team: string | null;
  reason: string | null;
  verdict: string;
}

describe('check with a 2 MiB tag value among 300 findings', () => {
  let dir: TempDir;
  let findings: string;
  let tags: string;

  beforeEach(() => {
    dir = createTempDir();
    const events = Array.from({ length: 300 }, (_, i) => {
      const event = loadMacieEvent('sensitive-financial.json');
      (event.detail as { id: string }).id = `finding-${i}`;
      return event;
    });
    findings = dir.write('findings.jsonl', events.map((e) => JSON.stringify(e)).join('\n'));
    tags = dir.write(
      'tags.json',
      JSON.stringify({
        [BUCKET]: { DataClassification: 'x'.repeat(TWO_MIB), Team: 't'.repeat(TWO_MIB) },
      }),
    );
  });

  afterEach(() => {
    dir.remove();
  });

  it('writes the JSON report with every result, the long values cut', async () => {
    const { code, stdout } = await runCli('check', findings, '--tags', tags, '--format', 'json');

    const results = (JSON.parse(stdout) as { results: JsonResult[] }).results;
    expect(results).toHaveLength(300);
    expect(results[0]?.verdict).toBe('unclassified');
    expect(results[0]?.team).toBe(`${'t'.repeat(1023)}…`);
    expect(results[0]?.reason).toBe(`classification tag "${'x'.repeat(255)}…" is not a level`);
    expect(stdout.length).toBeLessThan(2_000_000);
    expect(code).toBe(0);
  });

  it('writes the table with the team cell cut to 256 characters', async () => {
    const { code, stdout } = await runCli('check', findings, '--tags', tags);

    const row = stdout.split('\n').find((line) => line.startsWith(`${BUCKET} `));
    expect(row?.split(/ {2,}/)).toEqual([
      BUCKET,
      '-',
      'unclassified',
      'Critical',
      `${'t'.repeat(255)}…`,
      '300',
      'CREDIT_CARD_EXPIRATION (Confidential), CREDIT_CARD_NUMBER (Restricted)',
    ]);
    expect(code).toBe(0);
  });
});
