import { repositoryRoot } from '../../../bench/root';
import { bundleOptions, esbuildPlugins } from '../../../bench/sections/cold-start';
import { readServerless } from '../../../bench/serverless-file';

describe('coldStart bundle options', () => {
  it('builds as serverless.yml asks: ES module builds first, nothing external', () => {
    const options = bundleOptions(readServerless(repositoryRoot()).custom.esbuild);
    expect(options).toMatchObject({
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      external: [],
      mainFields: ['module', 'main'],
    });
  });

  it("leaves esbuild's own main fields when serverless.yml names none", () => {
    const options = bundleOptions({ bundle: true, minify: true });
    expect(options).not.toHaveProperty('mainFields');
    expect(options).toMatchObject({ bundle: true, minify: true, sourcemap: false, external: [] });
  });

  it('passes externals and a target on', () => {
    expect(bundleOptions({ external: ['@aws-sdk/*'], target: 'node20' })).toMatchObject({
      external: ['@aws-sdk/*'],
      target: 'node20',
    });
  });
});

describe('coldStart bundle plugins', () => {
  it('are those serverless.yml names: the policy packed, the Lambda credentials', () => {
    const root = repositoryRoot();
    expect(esbuildPlugins(readServerless(root), root).map((plugin) => plugin.name)).toEqual([
      'packed-policy',
      'lambda-credentials',
    ]);
  });
});
