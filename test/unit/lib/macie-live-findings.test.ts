import {
  type Finding,
  GetFindingsCommand,
  ListFindingsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { MacieCallError } from '../../../lib/errors';
import {
  type FindingsBatch,
  MacieLiveFindings,
  sensitiveDataSince,
} from '../../../lib/macie-live-findings';
import { awsError } from '../../support/aws-errors';

const REGION = 'eu-west-1';
const SINCE = new Date('2025-05-01T00:00:00Z');

function client(): Macie2Client {
  return new Macie2Client({ region: REGION, maxAttempts: 1 });
}

/** `count` ids `f000`, `f001`, ... from `from`. */
function ids(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `f${String(from + i).padStart(3, '0')}`);
}

/** A finding as the SDK hands it over: dates are Date objects. */
function sdkFinding(id: string): Finding {
  return {
    id,
    type: 'SensitiveData:S3Object/Personal',
    category: 'CLASSIFICATION',
    accountId: '111122223333',
    region: REGION,
    createdAt: new Date('2025-05-20T09:00:00.100Z'),
    updatedAt: new Date('2025-05-20T09:00:00.100Z'),
    resourcesAffected: {
      s3Bucket: { name: 'acme-hr', createdAt: new Date('2021-01-19T18:41:37Z'), tags: [] },
    },
  };
}

/** GetFindings answering with a finding for each id asked, leaving out `gone`. */
function answerEveryId(macie: ReturnType<typeof mockClient>, gone: readonly string[] = []): void {
  macie.on(GetFindingsCommand).callsFake((input: { findingIds: string[] }) => ({
    findings: input.findingIds.filter((id) => !gone.includes(id)).map(sdkFinding),
  }));
}

async function collect(source: MacieLiveFindings): Promise<FindingsBatch[]> {
  const batches: FindingsBatch[] = [];
  for await (const batch of source.updatedSince(SINCE)) batches.push(batch);
  return batches;
}

describe('sensitiveDataSince', () => {
  it('asks for sensitive data findings updated at or after the moment, in epoch milliseconds', () => {
    expect(sensitiveDataSince(SINCE)).toEqual({
      criterion: {
        category: { eq: ['CLASSIFICATION'] },
        updatedAt: { gte: 1746057600000 },
      },
    });
  });
});

describe('MacieLiveFindings', () => {
  const macie = mockClient(Macie2Client);
  beforeEach(() => macie.reset());
  afterAll(() => macie.restore());

  it('follows nextToken through 3 pages and gets 120 findings in batches of at most 50', async () => {
    // Prepare: pages of 40 ids, so batches must be gathered across pages.
    macie
      .on(ListFindingsCommand)
      .resolvesOnce({ findingIds: ids(0, 40), nextToken: 'page-2' })
      .resolvesOnce({ findingIds: ids(40, 40), nextToken: 'page-3' })
      .resolvesOnce({ findingIds: ids(80, 40) });
    answerEveryId(macie);

    // Act
    const batches = await collect(new MacieLiveFindings(client(), REGION));

    // Assess
    const lists = macie.commandCalls(ListFindingsCommand).map((call) => call.args[0].input);
    expect(lists.map((input) => input.nextToken)).toEqual([undefined, 'page-2', 'page-3']);
    const gets = macie.commandCalls(GetFindingsCommand).map((call) => call.args[0].input);
    expect(gets.map((input) => input.findingIds)).toEqual([ids(0, 50), ids(50, 50), ids(100, 20)]);
    expect(batches.map((batch) => batch.findings.length)).toEqual([50, 50, 20]);
    expect(batches.flatMap((batch) => batch.missing)).toEqual([]);
  });

  it('sends the criteria, oldest first, 50 a page', async () => {
    macie.on(ListFindingsCommand).resolves({ findingIds: [] });

    await collect(new MacieLiveFindings(client(), REGION));

    expect(macie.commandCalls(ListFindingsCommand)[0]?.args[0].input).toEqual({
      findingCriteria: {
        criterion: {
          category: { eq: ['CLASSIFICATION'] },
          updatedAt: { gte: 1746057600000 },
        },
      },
      sortCriteria: { attributeName: 'updatedAt', orderBy: 'ASC' },
      maxResults: 50,
      nextToken: undefined,
    });
  });

  it('makes no GetFindings call when nothing is listed', async () => {
    macie.on(ListFindingsCommand).resolves({ findingIds: [] });

    const batches = await collect(new MacieLiveFindings(client(), REGION));

    expect(batches).toEqual([]);
    expect(macie.commandCalls(GetFindingsCommand)).toHaveLength(0);
  });

  it('gets exactly 50 in one call, and 51 in two', async () => {
    macie.on(ListFindingsCommand).resolvesOnce({ findingIds: ids(0, 50) });
    answerEveryId(macie);
    await collect(new MacieLiveFindings(client(), REGION));
    expect(macie.commandCalls(GetFindingsCommand)).toHaveLength(1);

    macie.reset();
    macie.on(ListFindingsCommand).resolvesOnce({ findingIds: ids(0, 51) });
    answerEveryId(macie);
    await collect(new MacieLiveFindings(client(), REGION));
    const gets = macie.commandCalls(GetFindingsCommand).map((call) => call.args[0].input);
    expect(gets.map((input) => input.findingIds?.length)).toEqual([50, 1]);
  });

  it('hands findings over as JSON: dates become ISO 8601 strings', async () => {
    macie.on(ListFindingsCommand).resolves({ findingIds: ['f000'] });
    answerEveryId(macie);

    const [batch] = await collect(new MacieLiveFindings(client(), REGION));

    expect(batch?.findings[0]).toMatchObject({
      id: 'f000',
      createdAt: '2025-05-20T09:00:00.100Z',
      updatedAt: '2025-05-20T09:00:00.100Z',
      resourcesAffected: { s3Bucket: { name: 'acme-hr', createdAt: '2021-01-19T18:41:37.000Z' } },
    });
  });

  it('names the listed ids that GetFindings did not return', async () => {
    macie.on(ListFindingsCommand).resolves({ findingIds: ids(0, 3) });
    answerEveryId(macie, ['f001']);

    const [batch] = await collect(new MacieLiveFindings(client(), REGION));

    expect(batch?.findings.map((f) => (f as { id: string }).id)).toEqual(['f000', 'f002']);
    expect(batch?.missing).toEqual(['f001']);
  });

  it('names the call and region when ListFindings is refused', async () => {
    const denied = awsError('AccessDeniedException', 'not authorized to perform ListFindings');
    macie.on(ListFindingsCommand).rejects(denied);

    const reading = collect(new MacieLiveFindings(client(), REGION));

    await expect(reading).rejects.toThrow(MacieCallError);
    await expect(reading).rejects.toMatchObject({
      call: 'ListFindings',
      region: REGION,
      message:
        'ListFindings in eu-west-1: AccessDeniedException: not authorized to perform ListFindings',
      cause: denied,
    });
  });

  it('names GetFindings when it fails after a page was listed', async () => {
    macie.on(ListFindingsCommand).resolves({ findingIds: ids(0, 2) });
    macie.on(GetFindingsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    await expect(collect(new MacieLiveFindings(client(), REGION))).rejects.toMatchObject({
      call: 'GetFindings',
      message: 'GetFindings in eu-west-1: ThrottlingException: Rate exceeded',
    });
  });

  it('stops when Macie hands back the token it was given', async () => {
    macie
      .on(ListFindingsCommand)
      .resolvesOnce({ findingIds: [], nextToken: 'again' })
      .resolves({ findingIds: [], nextToken: 'again' });

    await expect(collect(new MacieLiveFindings(client(), REGION))).rejects.toMatchObject({
      call: 'ListFindings',
      message: 'ListFindings in eu-west-1: Error: returned the same nextToken twice',
    });
    expect(macie.commandCalls(ListFindingsCommand)).toHaveLength(2);
  });
});
