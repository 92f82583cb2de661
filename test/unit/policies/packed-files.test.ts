/**
 * How a function finds its policy and waivers: read from the sources
 * (`function-files.ts`), or among the files packaging packed into its bundle
 * (`packed-files.ts`), by the name its setting gives.
 */
import { functionPolicy, functionWaivers } from '../../../policies/function-files';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../../policies/load-policy';
import { DEFAULT_WAIVERS_FILE, loadWaivers } from '../../../policies/load-waivers';
import { type PackedFiles, packedFileReader, packedName } from '../../../policies/packed-files';
import { packPolicy, packWaivers } from '../../../policies/packed-policy';
import { VALID_POLICY } from '../../support/policy-files';
import { createTempDir, type TempDir, useTempDir } from '../../support/temp-dir';

const NO_WAIVERS = 'waivers: []\n';

describe('packedName', () => {
  it.each([
    ['policies/a.yaml', 'policies/a.yaml'],
    ['./policies/a.yaml', 'policies/a.yaml'],
    ['policies\\a.yaml', 'policies/a.yaml'],
    ['policies/team/../a.yaml', 'policies/a.yaml'],
    ['policies//a.yaml', 'policies/a.yaml'],
  ])('names %s as %s', (file, name) => {
    expect(packedName(file)).toBe(name);
  });
});

describe('a packaged function', () => {
  let dir: TempDir;
  let files: PackedFiles;

  beforeEach(() => {
    dir = createTempDir();
    const team = loadPolicy(dir.write('team.yaml', VALID_POLICY));
    files = {
      policies: {
        'policies/default-policy.yaml': packPolicy(
          loadPolicy(),
          () => 'policies/default-policy.yaml',
        ),
        'policies/team.yaml': packPolicy(team, () => 'policies/team.yaml'),
      },
      waivers: {
        'policies/waivers.yaml': packWaivers(
          loadWaivers(dir.write('w.yaml', NO_WAIVERS)),
          () => 'policies/waivers.yaml',
        ),
      },
      defaults: { policy: 'policies/default-policy.yaml', waivers: 'policies/waivers.yaml' },
    };
  });

  afterEach(() => {
    dir.remove();
  });

  it('judges with the shipped files when its settings name none', () => {
    const reader = packedFileReader(files);

    expect(reader.functionPolicy(undefined).source).toBe('policies/default-policy.yaml');
    expect(reader.functionWaivers(undefined).source).toBe('policies/waivers.yaml');
  });

  it('finds the file its setting names, however the path is spelled', () => {
    const reader = packedFileReader(files);

    expect(reader.functionPolicy('./policies/team.yaml').source).toBe('policies/team.yaml');
    expect(reader.functionPolicy('policies\\team.yaml').source).toBe('policies/team.yaml');
  });

  it('refuses a file that was not packed, naming the setting, the file and what was packed', () => {
    const reader = packedFileReader(files);

    expect(() => reader.functionPolicy('policies/other.yaml')).toThrow(
      new Error(
        'POLICY_FILE is "policies/other.yaml", which was not checked and packed with this function ' +
          '(packed: policies/default-policy.yaml, policies/team.yaml). The files are checked and ' +
          'packed when the stack is packaged, from its policyFile and waiversFile parameters: ' +
          'change the parameter and deploy again.',
      ),
    );
  });

  it('says "none" when no file of that kind was packed', () => {
    const reader = packedFileReader({ ...files, waivers: {} });

    expect(() => reader.functionWaivers(undefined)).toThrow(
      'WAIVERS_FILE is "policies/waivers.yaml", which was not checked and packed with this function (packed: none).',
    );
  });
});

describe('a function run from the sources', () => {
  const dir = useTempDir();

  it('reads the shipped files when its settings name none', () => {
    expect(functionPolicy(undefined).source).toBe(DEFAULT_POLICY_FILE);
    expect(functionWaivers(undefined).source).toBe(DEFAULT_WAIVERS_FILE);
  });

  it('reads the files its settings name', () => {
    const policy = dir.write('team.yaml', VALID_POLICY);
    const waivers = dir.write('none.yaml', NO_WAIVERS);

    expect(functionPolicy(policy).source).toBe(policy);
    expect(functionWaivers(waivers)).toMatchObject({ source: waivers, waivers: [] });
  });
});
