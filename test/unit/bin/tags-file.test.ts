import { mkdirSync } from 'node:fs';
import { loadTagsFile, type TagsByBucket } from '../../../bin/tags-file';
import { isBucketName, splitJsonDocuments } from '../../../bin/tags-file-shapes';
import { runCli as run } from '../../support/cli';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const LIMITS = { maxRecordBytes: 64 * 1024, maxInputBytes: 1024 * 1024 };
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:analytics-alerts';
const SHAPES_LISTED = [
  '{"<bucket>": {"<key>": "<value>"}}',
  '`aws resourcegroupstaggingapi get-resources`',
  '`aws s3api get-bucket-tagging`',
  '<bucket>.json',
];

let temp: TempDir;
let notes: string[];

beforeEach(() => {
  temp = createTempDir();
  notes = [];
});

afterEach(() => {
  temp.remove();
});

function load(file: string, limits = LIMITS): TagsByBucket {
  return loadTagsFile(file, limits, (line) => notes.push(line));
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** What `aws resourcegroupstaggingapi get-resources` prints for these resources. */
function getResources(
  mappings: ReadonlyArray<{ arn: string; tags: Record<string, string> }>,
  paginationToken = '',
): string {
  return json({
    ResourceTagMappingList: mappings.map(({ arn, tags }) => ({
      ResourceARN: arn,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    })),
    PaginationToken: paginationToken,
  });
}

/** What `aws s3api get-bucket-tagging` prints for these tags. */
function tagSet(tags: Record<string, string>): string {
  return json({ TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

function loadError(file: string, limits = LIMITS): string {
  try {
    load(file, limits);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('loadTagsFile', () => {
  describe('a map of bucket -> tags', () => {
    it('reads each bucket with its tags', () => {
      const file = temp.write(
        'tags.json',
        json({ 'acme-a': { DataClassification: 'Internal' }, 'acme-b': {} }),
      );

      const tags = load(file);

      expect([...tags]).toEqual([
        ['acme-a', { DataClassification: 'Internal' }],
        ['acme-b', {}],
      ]);
      expect(notes).toEqual([]);
    });

    it('names the path of the first value that does not fit and lists the accepted shapes', () => {
      const file = temp.write('tags.json', json({ 'acme-x': { DataClassification: 3 } }));

      const message = loadError(file);

      expect(message).toContain(`--tags ${file}: acme-x.DataClassification: `);
      for (const shape of SHAPES_LISTED) expect(message).toContain(shape);
    });
  });

  describe('the output of aws resourcegroupstaggingapi get-resources', () => {
    it('reads the tags of each S3 bucket by the name in its ARN', () => {
      const file = temp.write(
        'resources.json',
        getResources([
          { arn: 'arn:aws:s3:::acme-reports', tags: { DataClassification: 'Confidential' } },
          { arn: 'arn:aws-cn:s3:::acme-cn-logs', tags: { Team: 'logs' } },
        ]),
      );

      const tags = load(file);

      expect([...tags]).toEqual([
        ['acme-reports', { DataClassification: 'Confidential' }],
        ['acme-cn-logs', { Team: 'logs' }],
      ]);
      expect(notes).toEqual([]);
    });

    it('leaves out resources that are not buckets and counts them in a note', () => {
      const file = temp.write(
        'resources.json',
        getResources([
          { arn: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc', tags: { Team: 'a' } },
          { arn: 'arn:aws:s3:::acme-reports', tags: { Team: 'b' } },
          { arn: 'arn:aws:s3:eu-west-1:111122223333:accesspoint/reports', tags: { Team: 'c' } },
          { arn: 'arn:aws:s3:::acme-reports/some/object.csv', tags: { Team: 'd' } },
        ]),
      );

      const tags = load(file);

      expect([...tags.keys()]).toEqual(['acme-reports']);
      expect(notes).toEqual([
        `--tags ${file}: left out 3 resource(s) that are not S3 buckets (e.g. arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc); --resource-type-filters s3 lists only buckets\n`,
      ]);
    });

    it('reads outputs written one after the other (one per region or page)', () => {
      const file = temp.write(
        'resources.json',
        getResources([{ arn: 'arn:aws:s3:::acme-eu', tags: { Team: 'eu' } }], 'page-2-token') +
          '\n' +
          getResources([{ arn: 'arn:aws:s3:::acme-us', tags: { Team: 'us {"braces"}' } }]),
      );

      const tags = load(file);

      expect([...tags]).toEqual([
        ['acme-eu', { Team: 'eu' }],
        ['acme-us', { Team: 'us {"braces"}' }],
      ]);
    });

    it('takes an output without PaginationToken, as the AWS CLI prints a gathered result', () => {
      const file = temp.write(
        'resources.json',
        json({ ResourceTagMappingList: [{ ResourceARN: 'arn:aws:s3:::acme-a', Tags: [] }] }),
      );

      expect([...load(file)]).toEqual([['acme-a', {}]]);
    });

    it('refuses an output whose last page says more remain', () => {
      const file = temp.write(
        'resources.json',
        getResources([{ arn: 'arn:aws:s3:::acme-a', tags: {} }], 'more-to-come'),
      );

      expect(loadError(file)).toBe(
        `--tags ${file}: PaginationToken is set, so more resources remain to be read: let the AWS CLI read every page (leave out --no-paginate and --max-items), or append the following pages to the file`,
      );
    });

    it('refuses an output the AWS CLI cut short with --max-items', () => {
      const file = temp.write(
        'resources.json',
        json({
          ResourceTagMappingList: [{ ResourceARN: 'arn:aws:s3:::acme-a', Tags: [] }],
          NextToken: 'eyJQYWdpbmF0aW9uVG9rZW4iOiAiYWJjIn0=',
        }),
      );

      expect(loadError(file)).toContain(`--tags ${file}: NextToken is set, so more resources`);
    });

    it('refuses a bucket listed twice with different tags, naming both places', () => {
      const file = temp.write(
        'resources.json',
        getResources([{ arn: 'arn:aws:s3:::acme-a', tags: { Team: 'one' } }]) +
          getResources([{ arn: 'arn:aws:s3:::acme-a', tags: { Team: 'two' } }]),
      );

      expect(loadError(file)).toBe(
        `--tags ${file}: document 2: ResourceTagMappingList.0: bucket acme-a is listed twice with different tags (first at document 1: ResourceTagMappingList.0)`,
      );
    });

    it('takes a bucket listed twice with the same tags once', () => {
      const file = temp.write(
        'resources.json',
        getResources([{ arn: 'arn:aws:s3:::acme-a', tags: { Team: 'one', Tier: 'x' } }]) +
          getResources([{ arn: 'arn:aws:s3:::acme-a', tags: { Tier: 'x', Team: 'one' } }]),
      );

      expect([...load(file)]).toEqual([['acme-a', { Team: 'one', Tier: 'x' }]]);
    });

    it('refuses a tag key given twice for one bucket', () => {
      const file = temp.write(
        'resources.json',
        json({
          ResourceTagMappingList: [
            {
              ResourceARN: 'arn:aws:s3:::acme-a',
              Tags: [
                { Key: 'Team', Value: 'one' },
                { Key: 'Team', Value: 'two' },
              ],
            },
          ],
        }),
      );

      expect(loadError(file)).toBe(
        `--tags ${file}: ResourceTagMappingList.0.Tags.1.Key: the tag Team is given twice`,
      );
    });

    it('names the path of a malformed entry', () => {
      const file = temp.write(
        'resources.json',
        json({
          ResourceTagMappingList: [{ ResourceARN: 'arn:aws:s3:::acme-a', Tags: [{ Key: 'Team' }] }],
        }),
      );

      const message = loadError(file);

      expect(message).toContain(`--tags ${file}: ResourceTagMappingList.0.Tags.0.Value: `);
      expect(message).toContain('read as an `aws resourcegroupstaggingapi get-resources` output');
    });
  });

  describe('a directory of aws s3api get-bucket-tagging outputs', () => {
    it('reads each <bucket>.json as the tags of that bucket', () => {
      temp.write('tagging/acme-a.json', tagSet({ DataClassification: 'Public', Team: 'web' }));
      temp.write('tagging/acme.logs.eu.json', tagSet({}));

      const tags = load(`${temp.path}/tagging`);

      expect([...tags]).toEqual([
        ['acme-a', { DataClassification: 'Public', Team: 'web' }],
        ['acme.logs.eu', {}],
      ]);
    });

    it('refuses a file whose name is not a bucket name, naming it', () => {
      temp.write('tagging/acme-a.json', tagSet({}));
      const bad = temp.write('tagging/Acme_Reports.json', tagSet({}));

      expect(loadError(`${temp.path}/tagging`)).toContain(
        `--tags ${bad}: "Acme_Reports" is not an S3 bucket name; each file in a --tags directory is <bucket>.json`,
      );
    });

    it('refuses a file that is not .json', () => {
      const bad = temp.write('tagging/notes.txt', 'buckets to check');

      expect(loadError(`${temp.path}/tagging`)).toContain(`--tags ${bad}: not a .json file;`);
    });

    it('refuses an empty file, which get-bucket-tagging leaves when it fails', () => {
      const bad = temp.write('tagging/acme-a.json', '');

      expect(loadError(`${temp.path}/tagging`)).toContain(
        `--tags ${bad}: the file is empty: get-bucket-tagging prints nothing when the bucket has no tags (NoSuchTagSet) or the call failed; write {"TagSet": []}`,
      );
    });

    it('refuses a file of another shape, naming it and where it stops fitting', () => {
      temp.write('tagging/acme-a.json', tagSet({}));
      const bad = temp.write('tagging/acme-b.json', json({ 'acme-b': { Team: 'b' } }));

      expect(loadError(`${temp.path}/tagging`)).toBe(
        `--tags ${bad}: not the output of \`aws s3api get-bucket-tagging\` ({"TagSet": [{"Key": ..., "Value": ...}]}): TagSet: expected a list of {"Key": ..., "Value": ...}`,
      );
    });

    it('refuses a tag key given twice', () => {
      const bad = temp.write(
        'tagging/acme-a.json',
        json({
          TagSet: [
            { Key: 'Team', Value: 'a' },
            { Key: 'Team', Value: 'b' },
          ],
        }),
      );

      expect(loadError(`${temp.path}/tagging`)).toBe(
        `--tags ${bad}: TagSet.1.Key: the tag Team is given twice`,
      );
    });

    it('refuses an empty directory', () => {
      const empty = `${temp.path}/empty`;
      mkdirSync(empty);

      expect(loadError(empty)).toContain(`--tags ${empty}: the directory is empty`);
    });

    it('keeps each file within the record limit and all of them within the input limit', () => {
      temp.write('tagging/acme-a.json', tagSet({ Team: 'a'.repeat(100) }));
      temp.write('tagging/acme-b.json', tagSet({ Team: 'b'.repeat(100) }));
      const dir = `${temp.path}/tagging`;
      const oneFile = Buffer.byteLength(tagSet({ Team: 'a'.repeat(100) }));

      expect(load(dir, { maxRecordBytes: oneFile, maxInputBytes: 2 * oneFile }).size).toBe(2);
      expect(loadError(dir, { maxRecordBytes: oneFile - 1, maxInputBytes: 4 * oneFile })).toContain(
        `--tags ${dir}/acme-a.json: larger than ${oneFile - 1} bytes`,
      );
      expect(loadError(dir, { maxRecordBytes: oneFile, maxInputBytes: 2 * oneFile - 1 })).toBe(
        `--tags ${dir}: its files hold more than ${2 * oneFile - 1} bytes; --max-input-bytes (or BUCKET_CLASSIFICATION_MAX_INPUT_BYTES) raises the limit`,
      );
    });
  });

  describe('none of the shapes', () => {
    it('names the file, the path at the root and every accepted shape', () => {
      const file = temp.write('tags.json', json(['acme-a', 'acme-b']));

      const message = loadError(file);

      expect(message).toContain(`--tags ${file}: (root): `);
      for (const shape of SHAPES_LISTED) expect(message).toContain(shape);
    });

    it('refuses a get-bucket-tagging output given as a file: it names no bucket', () => {
      const file = temp.write('acme-a.json', tagSet({ Team: 'a' }));

      expect(loadError(file)).toBe(
        `--tags ${file}: this is an \`aws s3api get-bucket-tagging\` output, which names no bucket: save it as <bucket>.json in a directory and give --tags the directory`,
      );
    });

    it('refuses concatenated documents unless every one is a get-resources output', () => {
      const file = temp.write(
        'mixed.json',
        getResources([{ arn: 'arn:aws:s3:::acme-a', tags: {} }]) + json({ 'acme-b': {} }),
      );

      const message = loadError(file);

      expect(message).toContain(
        `--tags ${file}: holds 2 JSON documents, and document 2 is not an \`aws resourcegroupstaggingapi get-resources\` output`,
      );
      for (const shape of SHAPES_LISTED) expect(message).toContain(shape);
    });

    it('reports text that is not JSON as invalid JSON', () => {
      const file = temp.write('tags.json', '{"acme-a": ');

      expect(loadError(file)).toContain(`--tags ${file}: invalid JSON`);
    });
  });
});

describe('tags --tags with the outputs of the AWS CLI', () => {
  it('judges the buckets of a get-resources output and of a get-bucket-tagging directory alike', async () => {
    const tags = { DataClassification: 'Confidential', SupportSNSTopic: TOPIC };
    const resources = temp.write(
      'resources.json',
      getResources([
        { arn: 'arn:aws:s3:::acme-a', tags },
        { arn: 'arn:aws:sns:eu-west-1:111122223333:analytics-alerts', tags: {} },
      ]),
    );
    temp.write('tagging/acme-a.json', tagSet(tags));

    const fromResources = await run('tags', '--tags', resources, '--account', '111122223333');
    const fromDirectory = await run(
      'tags',
      '--tags',
      `${temp.path}/tagging`,
      '--account',
      '111122223333',
    );

    expect(fromResources.code).toBe(0);
    expect(fromResources.stdout).toContain('acme-a  COMPLIANT   Declares Confidential');
    expect(fromResources.stderr).toContain('left out 1 resource(s) that are not S3 buckets');
    expect(fromDirectory.stdout).toBe(fromResources.stdout);
  });
});

describe('isBucketName', () => {
  it.each(['abc', 'a'.repeat(63), 'acme.logs-2024', '1bucket9'])('accepts %s', (name) => {
    expect(isBucketName(name)).toBe(true);
  });

  it.each([
    'ab',
    'a'.repeat(64),
    'Acme',
    'acme_logs',
    '-acme',
    'acme-',
    'acme..logs',
    '192.168.1.10',
    'xn--acme',
    'sthree-acme',
    'amzn-s3-demo-bucket',
    'acme-s3alias',
    'acme--ol-s3',
    'acme.mrap',
    'acme--x-s3',
    'acme--table-s3',
  ])('refuses %s', (name) => {
    expect(isBucketName(name)).toBe(false);
  });
});

describe('splitJsonDocuments', () => {
  it('splits documents at their closing bracket, not at brackets inside strings', () => {
    expect(splitJsonDocuments('{"a": "}{"} \n[1, {"b": "\\"]"}]')).toEqual([
      '{"a": "}{"}',
      '[1, {"b": "\\"]"}]',
    ]);
  });

  it('gives up on a value that is not an object or array, or one left open', () => {
    expect(splitJsonDocuments('{"a": 1} 2')).toBeUndefined();
    expect(splitJsonDocuments('{"a": 1} {"b": ')).toBeUndefined();
  });
});
