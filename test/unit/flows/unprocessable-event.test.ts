import type { Logger } from '@aws-lambda-powertools/logger';
import { rawEventId, reportUnprocessable } from '../../../flows/unprocessable-event';
import type { AlertDocument } from '../../../rules/alert';
import { CENTRAL_TOPIC, FakeMetrics, FakePublisher, FakeTopicTags } from '../../support/fakes';
import { bytesOnTheWire } from '../../support/sns-bytes';

/** A logger that keeps what was logged at error level. */
function recordingLogger() {
  const lines: Array<{ message: string; attributes: Record<string, unknown> }> = [];
  const logger = {
    error: (message: string, attributes: Record<string, unknown>) => {
      lines.push({ message, attributes });
    },
  } as unknown as Logger;
  return { logger, lines };
}

function setup() {
  const publisher = new FakePublisher();
  const metrics = new FakeMetrics();
  const { logger, lines } = recordingLogger();
  const topicTags = new FakeTopicTags();
  const deps = {
    channel: {
      publisher,
      topicTags,
      settings: {
        securityTopicArn: CENTRAL_TOPIC,
        topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
      },
    },
    metrics,
    logger,
    logGroupName: '/aws/lambda/bcv-prod-validateFinding',
  };
  return { deps, publisher, metrics, lines };
}

describe('reportUnprocessable', () => {
  it('logs an event of 250 KB of quotes and backslashes whole, in parts that join back', async () => {
    const { deps, publisher, lines } = setup();
    const event = { id: 'ev-quotes', source: 'aws.macie', detail: { junk: '"\\'.repeat(62_500) } };

    const logged = await reportUnprocessable(deps, 'malformed Macie finding', event, 'High');

    // 250,000 bytes of JSON text, escaped again in the log line: 500,000 bytes, three parts.
    expect(lines.length).toBe(3);
    expect(lines.map((line) => line.attributes.part)).toEqual([1, 2, 3]);
    expect(lines.map((line) => line.attributes.parts)).toEqual([3, 3, 3]);
    expect(new Set(lines.map((line) => line.attributes.eventId))).toEqual(new Set(['ev-quotes']));
    expect(lines[0]?.attributes.reason).toBe('malformed Macie finding');
    const joined = lines.map((line) => line.attributes.rawEvent).join('');
    expect(JSON.parse(joined)).toEqual(event);
    for (const line of lines) {
      // Each log line stays under CloudWatch Logs' 262,144 bytes per event.
      expect(Buffer.byteLength(JSON.stringify(line.attributes), 'utf8')).toBeLessThan(262_144);
    }
    expect(logged).toEqual({
      logGroup: '/aws/lambda/bcv-prod-validateFinding',
      eventId: 'ev-quotes',
      parts: 3,
      bytes: Buffer.byteLength(JSON.stringify(event), 'utf8'),
    });
    const [sent] = publisher.sent;
    if (!sent) throw new Error('no alert was published');
    expect(sent.topicArn).toBe(CENTRAL_TOPIC);
    expect(bytesOnTheWire(sent.message)).toBeLessThanOrEqual(262_144);
    const document = sent.message.document as AlertDocument;
    expect(document.error?.rawEvent).toEqual(logged);
    // The excerpt is a JSON value inside the alert: its quotes are escaped once there.
    expect(document.error?.event).toEqual({
      id: 'ev-quotes',
      source: 'aws.macie',
      detail: { junk: expect.any(String) },
    });
    expect(
      (document.error?.event as { detail: { junk: string } } | undefined)?.detail.junk,
    ).toMatch(/^("\\)+…\[125000 characters\]$/);
  });

  it('reports an event nested 5,000 levels deep, never as [object Object]', async () => {
    const { deps, publisher, lines, metrics } = setup();
    let deep: unknown = { leaf: 'bottom' };
    for (let i = 0; i < 5000; i++) deep = { n: deep };
    const event = { id: 'ev-deep', source: 'aws.macie', detail: deep };

    await reportUnprocessable(deps, 'malformed Macie finding', event, 'High');

    expect(lines.length).toBe(1);
    expect(String(lines[0]?.attributes.rawEvent)).toContain('{"leaf":"bottom"}');
    const [sent] = publisher.sent;
    if (!sent) throw new Error('no alert was published');
    expect(JSON.stringify(sent.message.document)).not.toContain('[object Object]');
    expect(sent.message.text).not.toContain('[object Object]');
    expect(sent.message.text).toContain('eventId "ev-deep"');
    const document = sent.message.document as AlertDocument;
    expect(document.error?.truncated).toBe(true);
    expect(document.error?.event).toEqual(
      expect.objectContaining({ id: 'ev-deep', source: 'aws.macie' }),
    );
    expect(metrics.calls).toEqual([[{ name: 'UnprocessableEvents', dimensions: {}, count: 1 }]]);
  });

  it('names the log group generically outside Lambda', async () => {
    const { deps, publisher } = setup();

    await reportUnprocessable({ ...deps, logGroupName: undefined }, 'no', { id: 'x' }, 'High');

    const document = publisher.sent[0]?.message.document as AlertDocument | undefined;
    expect(document?.error?.rawEvent.logGroup).toBe('the validateFinding function’s log group');
  });
});

describe('rawEventId', () => {
  it("uses the EventBridge event's own id", () => {
    expect(rawEventId({ id: '474e87ce-ab91-463f-8451-e2d9953d50c6' }, '{}')).toBe(
      '474e87ce-ab91-463f-8451-e2d9953d50c6',
    );
  });

  it('uses a digest of the event when its id is missing or not a plain one', () => {
    expect(rawEventId({}, '{}')).toBe('sha256:44136fa355b3678a1146ad16f7e8649e');
    expect(rawEventId({ id: 'a "quoted"\nid' }, '{}')).toBe(
      'sha256:44136fa355b3678a1146ad16f7e8649e',
    );
    expect(rawEventId(null, 'null')).toMatch(/^sha256:[0-9a-f]{32}$/);
  });
});
