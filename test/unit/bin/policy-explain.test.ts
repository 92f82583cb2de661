import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY_FILE } from '../../../policies/load-policy';
import { runCli as run } from '../../support/cli';
import { useTempDir } from '../../support/temp-dir';

describe('policy explain of a type it does not know', () => {
  const dir = useTempDir();

  it('exits 2 for a misspelt identifier and suggests the closest ones', async () => {
    const { code, stdout, stderr } = await run('policy', 'explain', 'USA_PASPORT_NUMBER');

    expect(stderr).toContain(
      'bucket-classification: unknown data type "USA_PASPORT_NUMBER": not in the list of Macie managed data identifiers, nor named by the policy',
    );
    expect(stderr).toContain(
      'Did you mean USA_PASSPORT_NUMBER, UK_PASSPORT_NUMBER or ITALY_PASSPORT_NUMBER?',
    );
    expect(stderr).toContain('give --category CATEGORY');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('suggests the names that hold a part of a name', async () => {
    const { code, stderr } = await run('policy', 'explain', 'passport');

    expect(stderr).toContain(
      'Did you mean UK_PASSPORT_NUMBER, USA_PASSPORT_NUMBER or ITALY_PASSPORT_NUMBER?',
    );
    expect(code).toBe(2);
  });

  it('suggests nothing for a name close to none', async () => {
    const { code, stderr } = await run('policy', 'explain', 'QQQQ_ZZZZ');

    expect(stderr).toContain('unknown data type "QQQQ_ZZZZ"');
    expect(stderr).not.toContain('Did you mean');
    expect(code).toBe(2);
  });

  it('explains a known identifier given in lower case', async () => {
    const { code, stdout } = await run('policy', 'explain', 'usa_passport_number');

    expect(stdout).toContain('usa_passport_number needs a bucket declared Restricted or higher.');
    expect(code).toBe(0);
  });

  it('explains an identifier missing from the list when --category gives its category', async () => {
    const { code, stdout } = await run(
      'policy',
      'explain',
      'BRAND_NEW_IDENTIFIER',
      '--category',
      'PERSONAL_INFORMATION',
    );

    expect(stdout).toContain(
      'BRAND_NEW_IDENTIFIER needs a bucket declared Confidential or higher.',
    );
    expect(code).toBe(0);
  });

  it('explains any custom identifier name', async () => {
    const { code, stdout } = await run('policy', 'explain', 'project-codename', '--custom');

    expect(stdout).toContain('kind: custom data identifier (matched by name)');
    expect(code).toBe(0);
  });

  it('explains an identifier the policy names though the list does not have it', async () => {
    const policy = dir.write(
      'policy.yaml',
      readFileSync(DEFAULT_POLICY_FILE, 'utf8').replace(
        'managedIdentifiers:\n',
        'managedIdentifiers:\n  BRAND_NEW_IDENTIFIER: Internal\n',
      ),
    );

    const { code, stdout } = await run(
      'policy',
      'explain',
      'BRAND_NEW_IDENTIFIER',
      '--policy',
      policy,
    );

    expect(stdout).toContain('BRAND_NEW_IDENTIFIER needs a bucket declared Internal or higher.');
    expect(stdout).toContain('decided by: managedIdentifiers.BRAND_NEW_IDENTIFIER');
    expect(code).toBe(0);
  });
});
