import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigurationItem } from '@aws-sdk/client-config-service';
import fc from 'fast-check';
import {
  type BucketItem,
  bucketItemFromHistory,
  type ConfigMessage,
  type ConfigRuleInvocation,
  detailTypeOf,
  ITEM_STATUSES,
  type ItemSummary,
  isApplicable,
  parseComplianceChangeEvent,
  parseConfigItemChangeEvent,
  parseConfigRuleEvent,
} from '../../../lib/config-rule-event';
import { ConfigEventError } from '../../../lib/errors';
import {
  bucketChangeEvent,
  CONFIG_EVENT_NAMES,
  type ConfigEventName,
  loadComplianceChangeEvent,
  loadConfigEvent,
  loadHistoryItem,
  oversizedBucketChangeEvent,
  type RawConfigEvent,
} from '../../support/config-events';
import { isJsonObject, type JsonObject } from '../../support/fixtures';
import { mutantsOf, mutated, mutationsOf } from '../../support/mutations';
import { outcomeOf, rejectionOf } from '../../support/parse-outcome';

// --- fixtures: test/events/config/ (see its README) -------------------------------------------

const SHARED_EVENTS_DIR = path.resolve(__dirname, '../../../../shared/fixtures/config/events');

/** A configuration item in the event shape. */
interface RawItem extends JsonObject {
  tags: Record<string, string>;
  supplementaryConfiguration: JsonObject;
}

/** The fixture with its `invokingEvent` changed by `edit`, and written back as JSON text. */
function withInvokingEvent(
  name: ConfigEventName,
  edit: (invoking: JsonObject) => void,
): RawConfigEvent {
  const event = loadConfigEvent(name);
  const invoking = JSON.parse(event.invokingEvent) as JsonObject;
  edit(invoking);
  return { ...event, invokingEvent: JSON.stringify(invoking) };
}

/** The fixture with its configuration item changed by `edit`. */
function withItem(name: ConfigEventName, edit: (item: RawItem) => void): RawConfigEvent {
  return withInvokingEvent(name, (invoking) => {
    edit(invoking.configurationItem as RawItem);
  });
}

// --- helpers ------------------------------------------------------------------------------------

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const COMPLIANT_TAGS = {
  DataClassification: 'Confidential',
  SupportSNSTopic: TOPIC,
  Team: 'team-a',
};

function itemOf(invocation: ConfigRuleInvocation): BucketItem {
  if (invocation.message.kind !== 'change') {
    throw new Error(`expected a change notification, got ${invocation.message.kind}`);
  }
  return invocation.message.item;
}

function messageOf<K extends ConfigMessage['kind']>(
  invocation: ConfigRuleInvocation,
  kind: K,
): Extract<ConfigMessage, { kind: K }> {
  if (invocation.message.kind !== kind) {
    throw new Error(`expected a ${kind} message, got ${invocation.message.kind}`);
  }
  return invocation.message as Extract<ConfigMessage, { kind: K }>;
}

// --- specifications ------------------------------------------------------------------------------

describe('parseConfigRuleEvent', () => {
  describe('change notifications', () => {
    it('reads the bucket, its account, region, status, capture time and tags', () => {
      const event = loadConfigEvent('change-compliant.json');

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.message).toEqual({
        kind: 'change',
        item: {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'team-a-ledger',
          resourceName: 'team-a-ledger',
          awsAccountId: '111122223333',
          awsRegion: 'us-east-1',
          captureTime: new Date('2024-05-14T09:21:07.412Z'),
          status: 'OK',
          tags: COMPLIANT_TAGS,
        },
      });
    });

    it("takes the result token, the rule's account and its name from the envelope", () => {
      const event = loadConfigEvent('change-compliant.json');

      const invocation = parseConfigRuleEvent(event);

      expect(invocation).toMatchObject({
        resultToken: 'TESTMODE',
        accountId: '111122223333',
        configRuleName: 'check-bucket-tags',
        eventLeftScope: false,
      });
    });

    it('leaves out configRuleName when the event has none', () => {
      const event = loadConfigEvent('change-compliant.json');
      delete event.configRuleName;

      const invocation = parseConfigRuleEvent(event);

      expect(invocation).not.toHaveProperty('configRuleName');
    });

    it.each([
      ['change-missing-topic.json', { DataClassification: 'Internal', Team: 'team-a' }],
      [
        'change-invalid-values.json',
        { DataClassification: 'TopSecret', SupportSNSTopic: 'team-a-alerts', Team: 'team-a' },
      ],
    ] as const)('passes the tags of %s on unjudged, for the rule to judge', (name, tags) => {
      const event = loadConfigEvent(name);

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual(tags);
      expect(item.status).toBe('OK');
    });

    it('reads a bucket without tags, and without a BucketTaggingConfiguration, as untagged', () => {
      const event = loadConfigEvent('change-no-tags.json');

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual({});
      expect(item).not.toHaveProperty('tagsUnreadable');
      expect(item.status).toBe('ResourceDiscovered');
    });

    it('takes the tags from BucketTaggingConfiguration when the tags map is empty', () => {
      const event = loadConfigEvent('change-tags-only-in-supplementary.json');

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.resourceId).toBe('team-a-archive');
      expect(item.tags).toEqual(COMPLIANT_TAGS);
    });

    it('prefers the tags map when BucketTaggingConfiguration says something else', () => {
      const event = withItem('change-compliant.json', (item) => {
        item.supplementaryConfiguration.BucketTaggingConfiguration = {
          tagSets: [{ tags: { DataClassification: 'Public' } }],
        };
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual(COMPLIANT_TAGS);
    });

    it('reads a BucketTaggingConfiguration given as JSON text, as in the API shape', () => {
      const event = withItem('change-tags-only-in-supplementary.json', (item) => {
        const tagging = item.supplementaryConfiguration.BucketTaggingConfiguration;
        item.supplementaryConfiguration.BucketTaggingConfiguration = JSON.stringify(tagging);
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual(COMPLIANT_TAGS);
    });

    it('judges the bucket untagged, and says why, when BucketTaggingConfiguration is not JSON', () => {
      const event = withItem('change-tags-only-in-supplementary.json', (item) => {
        item.supplementaryConfiguration.BucketTaggingConfiguration = '{"tagSets":[{"tags":';
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual({});
      expect(item.tagsUnreadable).toBe(
        'supplementaryConfiguration.BucketTaggingConfiguration: not valid JSON',
      );
    });

    it('names the field when BucketTaggingConfiguration has the wrong shape', () => {
      const event = withItem('change-tags-only-in-supplementary.json', (item) => {
        item.supplementaryConfiguration.BucketTaggingConfiguration = { tagSets: [{ tags: [] }] };
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual({});
      expect(item.tagsUnreadable).toMatch(
        /^supplementaryConfiguration\.BucketTaggingConfiguration\.tagSets\[0\]\.tags: expected record/,
      );
    });

    it('does not look at BucketTaggingConfiguration when the tags map has the tags', () => {
      const event = withItem('change-compliant.json', (item) => {
        item.supplementaryConfiguration.BucketTaggingConfiguration = 'not json';
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual(COMPLIANT_TAGS);
      expect(item).not.toHaveProperty('tagsUnreadable');
    });

    it('reads a BucketTaggingConfiguration with no tag sets as no tags', () => {
      const event = withItem('change-tags-only-in-supplementary.json', (item) => {
        item.supplementaryConfiguration.BucketTaggingConfiguration = { tagSets: [] };
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags).toEqual({});
      expect(item).not.toHaveProperty('tagsUnreadable');
    });

    it('reads a tag whose value is null as an empty value', () => {
      const event = withItem('change-compliant.json', (item) => {
        (item.tags as Record<string, string | null>).Team = null;
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.tags.Team).toBe('');
    });

    it('reads a deleted bucket: configuration null, no tags, no supplementary data, no name', () => {
      const event = loadConfigEvent('change-deleted.json');

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item).toEqual({
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'team-a-old-exports',
        awsAccountId: '111122223333',
        awsRegion: 'us-east-1',
        captureTime: new Date('2024-05-14T13:05:09.221Z'),
        status: 'ResourceDeleted',
        tags: {},
      });
    });

    it('reads a deleted bucket whose type is not recorded', () => {
      const event = loadConfigEvent('change-deleted-not-recorded.json');

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.status).toBe('ResourceDeletedNotRecorded');
      expect(item.resourceName).toBe('team-a-tmp');
      expect(item.tags).toEqual({});
      expect(item.captureTime).toEqual(new Date('2024-05-14T13:40:27.734Z'));
    });

    it('reports that the resource left the rule’s scope', () => {
      const event = loadConfigEvent('change-left-scope.json');

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.eventLeftScope).toBe(true);
      expect(itemOf(invocation).status).toBe('OK');
    });

    it('takes eventLeftScope as false when the event does not have it', () => {
      const event = loadConfigEvent('change-left-scope.json');
      delete event.eventLeftScope;

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.eventLeftScope).toBe(false);
    });

    it('accepts an invokingEvent that is already an object', () => {
      const event = loadConfigEvent('change-compliant.json');

      const invocation = parseConfigRuleEvent({
        ...event,
        invokingEvent: JSON.parse(event.invokingEvent),
      });

      expect(itemOf(invocation).tags).toEqual(COMPLIANT_TAGS);
    });

    it('tolerates fields it does not know, and drops them', () => {
      const event = withItem('change-compliant.json', (item) => {
        item.futureItemField = { nested: [1, 2] };
      });
      event.futureEnvelopeField = 'x';

      const invocation = parseConfigRuleEvent(event);

      expect(invocation).not.toHaveProperty('futureEnvelopeField');
      expect(itemOf(invocation)).not.toHaveProperty('futureItemField');
      expect(itemOf(invocation).resourceId).toBe('team-a-ledger');
    });

    it('reads a capture time with an offset and microseconds as the same instant', () => {
      const event = withItem('change-compliant.json', (item) => {
        item.configurationItemCaptureTime = '2024-05-14T04:21:07.412000-05:00';
      });

      const item = itemOf(parseConfigRuleEvent(event));

      expect(item.captureTime).toEqual(new Date('2024-05-14T09:21:07.412Z'));
    });
  });

  describe('oversized change notifications', () => {
    it('reads the item summary, although the event has no notificationCreationTime', () => {
      const event = loadConfigEvent('oversized.json');

      const invocation = parseConfigRuleEvent(event);

      expect(JSON.parse(event.invokingEvent)).not.toHaveProperty('notificationCreationTime');
      expect(invocation.message).toEqual({
        kind: 'oversized',
        summary: {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'team-a-ledger',
          awsAccountId: '111122223333',
          awsRegion: 'us-east-1',
          captureTime: new Date('2024-05-15T11:02:45.903Z'),
          status: 'OK',
        },
      });
    });
  });

  describe('scheduled notifications', () => {
    it('reads the account and the notification time, the periodic OrderingTimestamp', () => {
      const event = loadConfigEvent('periodic.json');

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.message).toEqual({
        kind: 'scheduled',
        notificationCreationTime: new Date('2024-05-15T12:00:00.118Z'),
        awsAccountId: '111122223333',
      });
      expect(invocation.resultToken).toBe('eyJlbmNyeXB0ZWREYXRhIjpbMSwyLDNdfQ==');
    });
  });

  describe('other message types', () => {
    it('marks a snapshot delivery as unsupported, naming its type', () => {
      const event = loadConfigEvent('snapshot-delivery.json');

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.message).toEqual({
        kind: 'unsupported',
        messageType: 'ConfigurationSnapshotDeliveryCompleted',
      });
    });

    it.each(['constructor', '__proto__', 'toString'])(
      'marks the message type %p as unsupported, not as a known one',
      (messageType) => {
        const event = withInvokingEvent('snapshot-delivery.json', (invoking) => {
          invoking.messageType = messageType;
        });

        const invocation = parseConfigRuleEvent(event);

        expect(invocation.message).toEqual({ kind: 'unsupported', messageType });
      },
    );
  });

  describe('rule parameters', () => {
    it('gives {} when the event has no ruleParameters (a rule without parameters)', () => {
      const event = loadConfigEvent('change-compliant.json');

      const invocation = parseConfigRuleEvent(event);

      expect(event).not.toHaveProperty('ruleParameters');
      expect(invocation.ruleParameters).toEqual({});
    });

    it('gives {} for an empty string, as in the RDK test event', () => {
      const event = loadConfigEvent('change-left-scope.json');

      const invocation = parseConfigRuleEvent(event);

      expect(event.ruleParameters).toBe('');
      expect(invocation.ruleParameters).toEqual({});
    });

    it('gives {} for "{}"', () => {
      const event = loadConfigEvent('change-missing-topic.json');

      const invocation = parseConfigRuleEvent(event);

      expect(event.ruleParameters).toBe('{}');
      expect(invocation.ruleParameters).toEqual({});
    });

    it('parses the JSON text Config sends', () => {
      const event = loadConfigEvent('periodic.json');

      const invocation = parseConfigRuleEvent(event);

      expect(event.ruleParameters).toBe('{"requireTeamTag":"true"}');
      expect(invocation.ruleParameters).toEqual({ requireTeamTag: 'true' });
    });

    it('accepts parameters that are already an object', () => {
      const event = loadConfigEvent('periodic.json');
      event.ruleParameters = { requireTeamTag: 'true' };

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.ruleParameters).toEqual({ requireTeamTag: 'true' });
    });

    it('reads numbers and booleans (from a CloudFormation InputParameters object) as text', () => {
      const event = loadConfigEvent('periodic.json');
      event.ruleParameters = '{"requireTeamTag":true,"maxTopics":3}';

      const invocation = parseConfigRuleEvent(event);

      expect(invocation.ruleParameters).toEqual({ requireTeamTag: 'true', maxTopics: '3' });
    });

    it('rejects parameters that are not valid JSON', () => {
      const event = loadConfigEvent('periodic.json');
      event.ruleParameters = '{"requireTeamTag":';

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['ruleParameters: not valid JSON']);
    });

    it('rejects a nested parameter value, naming the parameter', () => {
      const event = loadConfigEvent('periodic.json');
      event.ruleParameters = '{"allowedLevels":["Public","Internal"]}';

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual([
        'ruleParameters.allowedLevels: expected text (a number or boolean is read as its text)',
      ]);
    });

    it('rejects parameters that are JSON but not an object', () => {
      const event = loadConfigEvent('periodic.json');
      event.ruleParameters = '["requireTeamTag"]';

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['ruleParameters: expected record, received array']);
    });
  });

  describe('rejected input', () => {
    it.each([
      [null, 'null'],
      [undefined, 'undefined'],
      ['{"resultToken":"x"}', 'a string'],
      [[], 'an array'],
      [42, 'a number'],
    ])('rejects %p, saying it got %s', (value, described) => {
      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(value));

      expect(error.message).toBe(`expected an AWS Config rule event object, got ${described}`);
    });

    it('names resultToken when it is missing', () => {
      const event = loadConfigEvent('change-compliant.json');
      delete event.resultToken;

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.name).toBe('ConfigEventError');
      expect(error.problems).toEqual(['resultToken: is required']);
      expect(error.message).toBe('malformed AWS Config rule event: resultToken: is required');
    });

    it('rejects an empty resultToken', () => {
      const event = loadConfigEvent('change-compliant.json');
      event.resultToken = '';

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['resultToken: must not be empty']);
    });

    it('says so when invokingEvent is not valid JSON', () => {
      const event = loadConfigEvent('change-compliant.json');
      event.invokingEvent = event.invokingEvent.slice(0, 100);

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['invokingEvent: not valid JSON']);
    });

    it('names invokingEvent when it is missing', () => {
      const event: JsonObject = loadConfigEvent('change-compliant.json');
      delete event.invokingEvent;

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['invokingEvent: is required']);
    });

    it('names invokingEvent.messageType when it is missing', () => {
      const event = withInvokingEvent('change-compliant.json', (invoking) => {
        delete invoking.messageType;
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['invokingEvent.messageType: is required']);
    });

    it('names invokingEvent.configurationItem when a change notification has none', () => {
      const event = withInvokingEvent('change-compliant.json', (invoking) => {
        delete invoking.configurationItem;
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['invokingEvent.configurationItem: is required']);
    });

    it('names the field of the configuration item that is missing', () => {
      const event = withItem('change-compliant.json', (item) => {
        delete item.resourceId;
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['invokingEvent.configurationItem.resourceId: is required']);
    });

    it('names invokingEvent.configurationItemSummary when an oversized notification has none', () => {
      const event = withInvokingEvent('oversized.json', (invoking) => {
        delete invoking.configurationItemSummary;
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(['invokingEvent.configurationItemSummary: is required']);
    });

    it('rejects a status Config does not define, listing the ones it does', () => {
      const event = withItem('change-compliant.json', (item) => {
        item.configurationItemStatus = 'Gone';
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(
        /^invokingEvent\.configurationItem\.configurationItemStatus: .*"OK".*"ResourceDeletedNotRecorded"/,
      );
    });

    it.each([
      ['yesterday'],
      ['2024-02-30T09:21:07.412Z'],
      ['2024-05-14'],
      ['2024-05-14T09:21:07'],
      [''],
    ])('rejects the capture time %p, naming the field and the value', (captureTime) => {
      const event = withItem('change-compliant.json', (item) => {
        item.configurationItemCaptureTime = captureTime;
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual([
        `invokingEvent.configurationItem.configurationItemCaptureTime: not an ISO 8601 timestamp: ${JSON.stringify(captureTime)}`,
      ]);
    });

    it('rejects a capture time that is a number, naming the field', () => {
      const event = withItem('change-compliant.json', (item) => {
        item.configurationItemCaptureTime = 1715678467412;
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual([
        'invokingEvent.configurationItem.configurationItemCaptureTime: expected string, received number',
      ]);
    });

    it('names notificationCreationTime when a scheduled notification has a bad one', () => {
      const event = withInvokingEvent('periodic.json', (invoking) => {
        invoking.notificationCreationTime = '2024-13-01T00:00:00.000Z';
      });

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual([
        'invokingEvent.notificationCreationTime: not an ISO 8601 timestamp: "2024-13-01T00:00:00.000Z"',
      ]);
    });

    it('lists every problem at once', () => {
      const event = withItem('change-compliant.json', (item) => {
        delete item.awsRegion;
      });
      delete event.resultToken;
      delete event.accountId;

      const error = rejectionOf(ConfigEventError, () => parseConfigRuleEvent(event));

      expect(error.problems).toEqual(
        expect.arrayContaining([
          'resultToken: is required',
          'accountId: is required',
          'invokingEvent.configurationItem.awsRegion: is required',
        ]),
      );
      expect(error.problems).toHaveLength(3);
    });
  });
});

describe('bucketItemFromHistory', () => {
  it('turns the API shape into the event shape: accountId becomes awsAccountId', () => {
    const historyItem = loadHistoryItem();

    const item = bucketItemFromHistory(historyItem);

    expect(item).toEqual({
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'team-a-ledger',
      resourceName: 'team-a-ledger',
      awsAccountId: '111122223333',
      awsRegion: 'us-east-1',
      captureTime: new Date('2024-05-15T11:02:45.903Z'),
      status: 'OK',
      tags: COMPLIANT_TAGS,
    });
  });

  it('describes the item the oversized notification summarised', () => {
    const summary = messageOf(
      parseConfigRuleEvent(loadConfigEvent('oversized.json')),
      'oversized',
    ).summary;

    const item = bucketItemFromHistory(loadHistoryItem());

    const { resourceType, resourceId, awsAccountId, awsRegion, captureTime, status } = item;
    expect({
      resourceType,
      resourceId,
      awsAccountId,
      awsRegion,
      captureTime,
      status,
    } satisfies ItemSummary).toEqual(summary);
  });

  it('reads the tags from the BucketTaggingConfiguration JSON text when the tags map is empty', () => {
    const historyItem = loadHistoryItem();
    historyItem.tags = {};

    const item = bucketItemFromHistory(historyItem);

    expect(typeof historyItem.supplementaryConfiguration?.BucketTaggingConfiguration).toBe(
      'string',
    );
    expect(item.tags).toEqual(COMPLIANT_TAGS);
  });

  it('judges the bucket untagged, and says why, when that JSON text is malformed', () => {
    const historyItem = loadHistoryItem();
    historyItem.tags = {};
    historyItem.supplementaryConfiguration = { BucketTaggingConfiguration: '{"tagSets":' };

    const item = bucketItemFromHistory(historyItem);

    expect(item.tags).toEqual({});
    expect(item.tagsUnreadable).toBe(
      'supplementaryConfiguration.BucketTaggingConfiguration: not valid JSON',
    );
  });

  it('accepts the capture time as ISO text too, as in a JSON copy of the SDK output', () => {
    const historyItem = loadHistoryItem();
    const asJson = JSON.parse(JSON.stringify(historyItem));

    const item = bucketItemFromHistory(asJson);

    expect(typeof asJson.configurationItemCaptureTime).toBe('string');
    expect(item.captureTime).toEqual(new Date('2024-05-15T11:02:45.903Z'));
  });

  it('names accountId when the item has none', () => {
    const historyItem = loadHistoryItem();
    delete historyItem.accountId;

    const error = rejectionOf(ConfigEventError, () => bucketItemFromHistory(historyItem));

    expect(error.message).toBe(
      'malformed configuration item from GetResourceConfigHistory: accountId: is required',
    );
  });

  it('rejects an invalid Date as the capture time', () => {
    const historyItem = loadHistoryItem();
    historyItem.configurationItemCaptureTime = new Date('not a time');

    const error = rejectionOf(ConfigEventError, () => bucketItemFromHistory(historyItem));

    expect(error.problems).toEqual([
      'configurationItemCaptureTime: not an ISO 8601 timestamp: "Invalid Date"',
    ]);
  });

  it('rejects a value that is not an object', () => {
    const error = rejectionOf(ConfigEventError, () =>
      bucketItemFromHistory(null as unknown as ConfigurationItem),
    );

    expect(error.message).toBe('expected a configuration item object, got null');
  });
});

describe('isApplicable', () => {
  it.each([
    ['OK', true],
    ['ResourceDiscovered', true],
    ['ResourceNotRecorded', false],
    ['ResourceDeleted', false],
    ['ResourceDeletedNotRecorded', false],
  ] as const)('judges an item whose status is %s: %p', (status, expected) => {
    const applicable = isApplicable(status);

    expect(applicable).toBe(expected);
  });

  it('has an answer for every status Config defines', () => {
    const answered = ITEM_STATUSES.filter((status) => typeof isApplicable(status) === 'boolean');

    expect(answered).toEqual([
      'OK',
      'ResourceDiscovered',
      'ResourceNotRecorded',
      'ResourceDeleted',
      'ResourceDeletedNotRecorded',
    ]);
  });

  it('does not judge a status it does not know', () => {
    const applicable = isApplicable('ok');

    expect(applicable).toBe(false);
  });
});

describe('parsing arbitrary input', () => {
  /** 300 runs take well under a second; the margin is for a busy CI machine. */
  const PROPERTY_TIMEOUT_MS = 30_000;

  /**
   * Replacements near the edges of what the parser accepts: empty, unparsable, impossible.
   * A fresh list for each arbitrary, as its arrays and objects end up inside the mutants.
   */
  const edgeValues = (): [unknown, ...unknown[]] => [
    null,
    '',
    '{',
    '2024-02-30T00:00:00Z',
    -1,
    [],
    {},
    true,
  ];

  /**
   * A fixture with its JSON text fields (`invokingEvent`, `ruleParameters`, the
   * tagging configuration) opened up, so that mutations reach inside them.
   */
  function unpacked(name: ConfigEventName): JsonObject {
    const event: JsonObject = loadConfigEvent(name);
    for (const field of ['invokingEvent', 'ruleParameters']) {
      const value = event[field];
      if (typeof value === 'string' && value !== '') event[field] = JSON.parse(value);
    }
    return event;
  }

  /** Encodes `invokingEvent` and `ruleParameters` as JSON text again, as Config does, or not. */
  function packed(event: unknown, asText: boolean): unknown {
    if (!asText || !isJsonObject(event)) return event;
    const copy = { ...event };
    for (const field of ['invokingEvent', 'ruleParameters']) {
      if (isJsonObject(copy[field])) copy[field] = JSON.stringify(copy[field]);
    }
    return copy;
  }

  function mutatedEvents(): fc.Arbitrary<unknown> {
    return fc.constantFrom(...CONFIG_EVENT_NAMES).chain((name) => {
      const original = unpacked(name);
      return fc
        .tuple(mutationsOf(original, edgeValues()), fc.boolean())
        .map(([mutations, asText]) => packed(mutated(original, mutations), asText));
    });
  }

  /** Fixtures whose invokingEvent text is cut short or has characters dropped or inserted. */
  function garbledEvents(): fc.Arbitrary<unknown> {
    return fc
      .tuple(fc.constantFrom(...CONFIG_EVENT_NAMES), fc.nat(), fc.nat({ max: 5 }), fc.string())
      .map(([name, at, drop, insert]) => {
        const event = loadConfigEvent(name);
        const text = event.invokingEvent;
        const cut = at % (text.length + 1);
        event.invokingEvent = text.slice(0, cut) + insert + text.slice(cut + drop);
        return event;
      });
  }

  const inputs: [string, fc.Arbitrary<unknown>][] = [
    ['any value', fc.anything()],
    ['any JSON value', fc.json().map((text): unknown => JSON.parse(text))],
    ['a mutated fixture', mutatedEvents()],
    ['a fixture with garbled invokingEvent text', garbledEvents()],
  ];

  it.each(inputs)(
    'parseConfigRuleEvent returns or throws a ConfigEventError for %s',
    (_, input) => {
      fc.assert(
        fc.property(input, (value) => {
          expect(['parsed', 'rejected']).toContain(
            outcomeOf(ConfigEventError, () => parseConfigRuleEvent(value)),
          );
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'bucketItemFromHistory returns or throws a ConfigEventError for a mutated item',
    () => {
      const original = loadHistoryItem();

      fc.assert(
        fc.property(mutantsOf(original, edgeValues()), (value) => {
          expect(['parsed', 'rejected']).toContain(
            outcomeOf(ConfigEventError, () => bucketItemFromHistory(value as ConfigurationItem)),
          );
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('mutates fixtures into both accepted and rejected events, so the property is not vacuous', () => {
    const samples = fc.sample(mutatedEvents(), { numRuns: 300, seed: 42 });

    const outcomes = new Set(
      samples.map((value) => outcomeOf(ConfigEventError, () => parseConfigRuleEvent(value))),
    );

    expect(outcomes).toEqual(new Set(['parsed', 'rejected']));
  });
});

describe('real AWS Config events (../shared/fixtures/config/events)', () => {
  /** A complete Lambda event: the shared folder also holds bare invokingEvents and partial ones. */
  function isLambdaEvent(value: unknown): value is JsonObject {
    return isJsonObject(value) && 'resultToken' in value && 'invokingEvent' in value;
  }

  /** The tags the file holds: the `tags` map, else the first tag set of its tagging configuration. */
  function tagsHeldBy(event: JsonObject): Record<string, string> {
    const invoking = JSON.parse(String(event.invokingEvent)) as {
      configurationItem: {
        tags: Record<string, string>;
        supplementaryConfiguration: {
          BucketTaggingConfiguration?: { tagSets: { tags: Record<string, string> }[] };
        };
      };
    };
    const { tags, supplementaryConfiguration } = invoking.configurationItem;
    if (Object.keys(tags).length > 0) return tags;
    return supplementaryConfiguration.BucketTaggingConfiguration?.tagSets[0]?.tags ?? {};
  }

  if (!existsSync(SHARED_EVENTS_DIR)) {
    it('has the shared fixtures wherever CI runs', () => {
      const ci = process.env.CI;

      expect(ci).toBeUndefined();
    });
    return;
  }

  const events = readdirSync(SHARED_EVENTS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file): [string, unknown] => [
      file,
      JSON.parse(readFileSync(path.join(SHARED_EVENTS_DIR, file), 'utf8')),
    ]);
  const lambdaEvents = events.filter((entry): entry is [string, JsonObject] =>
    isLambdaEvent(entry[1]),
  );

  it('finds complete Lambda events among the shared fixtures', () => {
    const names = lambdaEvents.map(([file]) => file);

    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(names).toContain('real-s3-change-tagged-conformancepack.json');
    expect(names).toContain('real-periodic-c7n.json');
  });

  it.each(lambdaEvents)('parses %s', (_, event) => {
    const invocation = parseConfigRuleEvent(event);

    expect(invocation.resultToken).toBe(event.resultToken);
    expect(invocation.accountId).toBe(event.accountId);
  });

  const bucketChanges = lambdaEvents.filter(([, event]) => {
    const invoking = JSON.parse(String(event.invokingEvent)) as {
      configurationItem?: { resourceType?: string };
    };
    return invoking.configurationItem?.resourceType === 'AWS::S3::Bucket';
  });

  it.each(bucketChanges)('gives the tags %s holds', (_, event) => {
    const expected = tagsHeldBy(event);

    const item = itemOf(parseConfigRuleEvent(event));

    expect(item.tags).toEqual(expected);
    expect(item).not.toHaveProperty('tagsUnreadable');
  });

  it('reads the real untagged bucket and the real deletion, which come without an envelope', () => {
    const byName = new Map(events);
    const untagged = byName.get('real-s3-change-untagged-c7n.json');
    const deleted = byName.get('real-deleted-ec2-invokingEvent.json');
    const envelope = { resultToken: 'TESTMODE', accountId: '123456789012' };

    const untaggedItem = itemOf(parseConfigRuleEvent({ ...envelope, ...(untagged as JsonObject) }));
    const deletedItem = itemOf(parseConfigRuleEvent({ ...envelope, invokingEvent: deleted }));

    expect(untaggedItem).toMatchObject({ status: 'ResourceDiscovered', tags: {} });
    expect(deletedItem).toMatchObject({ status: 'ResourceDeleted', tags: {} });
    expect(deletedItem).not.toHaveProperty('resourceName');
  });
});

// --- EventBridge events from AWS Config ----------------------------------------------------------

const CAPTURED = new Date('2025-05-20T10:00:00.000Z');
const change = {
  bucket: 'team-a-ledger',
  accountId: '111122223333',
  region: 'us-east-1',
  tags: COMPLIANT_TAGS,
  captureTime: CAPTURED,
};

describe('parseConfigItemChangeEvent', () => {
  it('reads the configuration item of a change, and the event id', () => {
    const event = bucketChangeEvent(change);

    const parsed = parseConfigItemChangeEvent(event);

    expect(parsed).toEqual({
      eventId: `team-a-ledger-${CAPTURED.getTime()}`,
      message: {
        kind: 'change',
        item: {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'team-a-ledger',
          resourceName: 'team-a-ledger',
          awsAccountId: '111122223333',
          awsRegion: 'us-east-1',
          captureTime: CAPTURED,
          status: 'OK',
          tags: COMPLIANT_TAGS,
        },
      },
    });
  });

  it('reads the summary of an oversized change', () => {
    const event = oversizedBucketChangeEvent(change);

    expect(parseConfigItemChangeEvent(event).message).toEqual({
      kind: 'oversized',
      summary: {
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'team-a-ledger',
        awsAccountId: '111122223333',
        awsRegion: 'us-east-1',
        captureTime: CAPTURED,
        status: 'OK',
      },
    });
  });

  it('marks another message type as unsupported', () => {
    const event = bucketChangeEvent(change);
    (event.detail as JsonObject).messageType = 'ConfigurationHistoryDeliveryCompleted';

    expect(parseConfigItemChangeEvent(event).message).toEqual({
      kind: 'unsupported',
      messageType: 'ConfigurationHistoryDeliveryCompleted',
    });
  });

  it('reads a detail given as JSON text', () => {
    const event = bucketChangeEvent(change);
    event.detail = JSON.stringify(event.detail);

    expect(parseConfigItemChangeEvent(event).message.kind).toBe('change');
  });

  it('leaves out the event id when the event has none', () => {
    const event = bucketChangeEvent(change);
    delete event.id;

    expect(parseConfigItemChangeEvent(event)).not.toHaveProperty('eventId');
  });

  it('refuses an event of another detail-type, naming both', () => {
    const event = bucketChangeEvent(change);
    event['detail-type'] = 'Config Rules Compliance Change';

    const error = rejectionOf(ConfigEventError, () => parseConfigItemChangeEvent(event));

    expect(error.message).toBe(
      'expected detail-type "Config Configuration Item Change", got "Config Rules Compliance Change"',
    );
  });

  it('refuses an event from another source', () => {
    const event = bucketChangeEvent(change);
    event.source = 'aws.s3';

    const error = rejectionOf(ConfigEventError, () => parseConfigItemChangeEvent(event));

    expect(error.problems).toEqual(['source: expected "aws.config"']);
  });

  it.each([
    [null, 'null'],
    ['text', 'a string'],
    [[], 'an array'],
  ])('refuses %p, saying it got %s', (value, described) => {
    const error = rejectionOf(ConfigEventError, () => parseConfigItemChangeEvent(value));

    expect(error.message).toBe(`expected an EventBridge event object, got ${described}`);
  });

  it('names the path of a malformed item from detail', () => {
    const event = bucketChangeEvent(change);
    const item = (event.detail as { configurationItem: JsonObject }).configurationItem;
    item.configurationItemCaptureTime = 'yesterday';
    delete item.resourceId;

    const error = rejectionOf(ConfigEventError, () => parseConfigItemChangeEvent(event));

    expect(error.message).toMatch(/^malformed Config configuration item change: /);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'detail.configurationItem.resourceId: is required',
        'detail.configurationItem.configurationItemCaptureTime: not an ISO 8601 timestamp: "yesterday"',
      ]),
    );
    expect(error.problems).toHaveLength(2);
  });

  it('says detail is not JSON when its text is not', () => {
    const event = bucketChangeEvent(change);
    event.detail = '{"messageType":';

    const error = rejectionOf(ConfigEventError, () => parseConfigItemChangeEvent(event));

    expect(error.problems).toEqual(['detail: not valid JSON']);
  });
});

describe('parseComplianceChangeEvent', () => {
  it('reads the rule, the bucket, the new and old results and when Config recorded it', () => {
    const event = loadComplianceChangeEvent();

    expect(parseComplianceChangeEvent(event)).toEqual({
      eventId: '5d0f3c1a-8b2e-4f61-9a7c-2e4b6d8f0a13',
      configRuleName: 'check-bucket-tags',
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'team-a-scratch',
      awsAccountId: '111122223333',
      awsRegion: 'us-east-1',
      compliance: 'NON_COMPLIANT',
      annotation:
        'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
      previousCompliance: 'COMPLIANT',
      recordedAt: new Date('2024-05-14T09:22:30.918Z'),
    });
  });

  it("leaves out the previous result of a resource's first evaluation", () => {
    const event = loadComplianceChangeEvent();
    delete event.detail.oldEvaluationResult;

    expect(parseComplianceChangeEvent(event)).not.toHaveProperty('previousCompliance');
  });

  it('reads a missing annotation as empty', () => {
    const event = loadComplianceChangeEvent();
    delete (event.detail.newEvaluationResult as JsonObject).annotation;

    expect(parseComplianceChangeEvent(event).annotation).toBe('');
  });

  it('dates the result by the notification when it has no resultRecordedTime', () => {
    const event = loadComplianceChangeEvent();
    delete (event.detail.newEvaluationResult as JsonObject).resultRecordedTime;

    expect(parseComplianceChangeEvent(event).recordedAt).toEqual(
      new Date('2024-05-14T09:22:31.004Z'),
    );
  });

  it('refuses a change with neither time, naming resultRecordedTime', () => {
    const event = loadComplianceChangeEvent();
    delete (event.detail.newEvaluationResult as JsonObject).resultRecordedTime;
    delete event.detail.notificationCreationTime;

    const error = rejectionOf(ConfigEventError, () => parseComplianceChangeEvent(event));

    expect(error.problems).toEqual(['detail.newEvaluationResult.resultRecordedTime: is required']);
  });

  it('names the path of each malformed field', () => {
    const event = loadComplianceChangeEvent();
    delete event.detail.configRuleName;
    (event.detail.newEvaluationResult as JsonObject).complianceType = '';

    const error = rejectionOf(ConfigEventError, () => parseComplianceChangeEvent(event));

    expect(error.message).toMatch(/^malformed Config rules compliance change: /);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'detail.configRuleName: is required',
        'detail.newEvaluationResult.complianceType: must not be empty',
      ]),
    );
  });

  it('refuses an event of another detail-type', () => {
    const event = bucketChangeEvent(change);

    const error = rejectionOf(ConfigEventError, () => parseComplianceChangeEvent(event));

    expect(error.message).toBe(
      'expected detail-type "Config Rules Compliance Change", got "Config Configuration Item Change"',
    );
  });
});

describe('detailTypeOf', () => {
  it.each([
    [
      'an EventBridge event',
      { 'detail-type': 'Config Rules Compliance Change' },
      'Config Rules Compliance Change',
    ],
    ['an event without one', { source: 'aws.config' }, undefined],
    ['a detail-type that is not text', { 'detail-type': 42 }, undefined],
    ['a string', 'Config Rules Compliance Change', undefined],
    ['null', null, undefined],
  ])('gives the detail-type of %s', (_, event, expected) => {
    expect(detailTypeOf(event)).toBe(expected);
  });
});
