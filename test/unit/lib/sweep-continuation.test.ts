import { ConfigEventError } from '../../../lib/errors';
import { continuationEvent, parseSweepContinuation } from '../../../lib/sweep-continuation';

describe('parseSweepContinuation', () => {
  const withMarker = (marker: unknown) => ({ resultToken: 't', sweepContinuation: marker });

  it('finds none in an event from Config', () => {
    expect(parseSweepContinuation({ resultToken: 't' }, 'scheduled')).toBeUndefined();
  });

  it.each([
    [{ part: 2, next: { stage: 'buckets', done: 0 }, refused: 0 }],
    [
      {
        part: 1000,
        next: { stage: 'buckets', pageToken: 'opaque/+=', done: 10_000, lastBucket: 'b' },
        refused: 7,
      },
    ],
    [{ part: 3, next: { stage: 'cleanup' }, refused: 0 }],
  ])('reads %j', (marker) => {
    expect(parseSweepContinuation(withMarker(marker), 'scheduled')).toEqual(marker);
  });

  it('reads back what continuationEvent wrote, through JSON', () => {
    const marker = {
      part: 4,
      next: { stage: 'buckets' as const, pageToken: 'p', done: 200, lastBucket: 'b-199' },
      refused: 1,
    };

    const event = JSON.parse(JSON.stringify(continuationEvent({ resultToken: 't' }, marker)));

    expect(event.resultToken).toBe('t');
    expect(parseSweepContinuation(event, 'scheduled')).toEqual(marker);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'next please', 'sweepContinuation: expected object, received string'],
    ['null', null, 'sweepContinuation: expected object, received null'],
    [
      'the first part',
      { part: 1, next: { stage: 'cleanup' }, refused: 0 },
      'sweepContinuation.part: Too small: expected number to be >=2',
    ],
    [
      'beyond the most parts',
      { part: 1001, next: { stage: 'cleanup' }, refused: 0 },
      'sweepContinuation.part: Too big: expected number to be <=1000',
    ],
    [
      'a fractional part',
      { part: 2.5, next: { stage: 'cleanup' }, refused: 0 },
      'sweepContinuation.part: expected int, received number',
    ],
    ['no next step', { part: 2, refused: 0 }, 'sweepContinuation.next: is required'],
    [
      'an unknown stage',
      { part: 2, next: { stage: 'rest' }, refused: 0 },
      "sweepContinuation.next.stage: Invalid discriminator value. Expected 'buckets' | 'cleanup'",
    ],
    [
      'a negative position',
      { part: 2, next: { stage: 'buckets', done: -1 }, refused: 0 },
      'sweepContinuation.next.done: Too small: expected number to be >=0',
    ],
    [
      'an empty page token',
      { part: 2, next: { stage: 'buckets', pageToken: '', done: 0 }, refused: 0 },
      'sweepContinuation.next.pageToken: Too small: expected string to have >=1 characters',
    ],
    [
      'a page token longer than S3 makes',
      { part: 2, next: { stage: 'buckets', pageToken: 'x'.repeat(1025), done: 0 }, refused: 0 },
      'sweepContinuation.next.pageToken: Too big: expected string to have <=1024 characters',
    ],
    [
      'a field it does not know',
      { part: 2, next: { stage: 'cleanup' }, refused: 0, buckets: ['a', 'b'] },
      'sweepContinuation: Unrecognized key: "buckets"',
    ],
    [
      'a missing count of refusals',
      { part: 2, next: { stage: 'cleanup' } },
      'sweepContinuation.refused: is required',
    ],
  ])('refuses %s, naming the field', (_, marker, problem) => {
    const parse = () => parseSweepContinuation(withMarker(marker), 'scheduled');

    expect(parse).toThrow(ConfigEventError);
    expect(parse).toThrow(`malformed sweep continuation: ${problem}`);
  });

  it.each(['change', 'oversized', 'unsupported'])('refuses a marker on a %s message', (kind) => {
    expect(() =>
      parseSweepContinuation(withMarker({ part: 2, next: { stage: 'cleanup' }, refused: 0 }), kind),
    ).toThrow(
      `malformed sweep continuation: sweepContinuation continues a periodic run (ScheduledNotification), not a ${kind} message`,
    );
  });
});
