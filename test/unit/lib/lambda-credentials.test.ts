import { defaultProvider } from '../../../lib/lambda-credentials';

const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
  for (const name of NAMES) delete process.env[name];
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the packaged functions’ credentials', () => {
  it('are the role’s, as Lambda sets them in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLEROLEKEY';
    process.env.AWS_SECRET_ACCESS_KEY = 'role-secret';
    process.env.AWS_SESSION_TOKEN = 'role-session';

    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLEROLEKEY',
      secretAccessKey: 'role-secret',
      sessionToken: 'role-session',
    });
  });

  it('are looked for nowhere else: without them, the error names the variables', async () => {
    process.env.AWS_PROFILE = 'someone';
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLEROLEKEY';

    await expect(defaultProvider()()).rejects.toThrow(
      'No AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    );
  });
});
