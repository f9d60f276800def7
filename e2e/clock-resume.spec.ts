import { expect, test } from '@playwright/test';
import { decodeClockEvent, SEQUENCED_CLOCK_EVENT_TYPES, type ClockEventType } from '../lib/clock/protocol';
import type { SseEvent } from '../lib/sse/types';
import { readEventsUntil, readUntilEnd } from './helpers';

const sequenced = (events: SseEvent[]) => events.filter((event) => SEQUENCED_CLOCK_EVENT_TYPES.includes(event.type as ClockEventType));
const ofType = (events: SseEvent[], type: ClockEventType) => events.filter((event) => event.type === type);

test.describe('resuming the clock', () => {
  test('Last-Event-ID replays every buffered update after it, then live ones, ids contiguous; no notification is replayed', async ({ baseURL }) => {
    // Read past the first connection's own notification, so there is one inside the replayed range.
    const first = await readEventsUntil(`${baseURL}/api/clock`, {}, (seen) => ofType(seen, 'notification').length > 0 && sequenced(seen).length >= 8);
    const from = Number(sequenced(first.events)[0]!.lastEventId);
    const resumed = await readEventsUntil(`${baseURL}/api/clock`, { headers: { 'Last-Event-ID': String(from) } }, (seen) =>
      ofType(seen, 'resumed').length > 0 && ofType(seen, 'update').length >= 12,
    );
    const types = resumed.events.map((event) => event.type);
    expect(types[0]).toBe('message');
    const ids = sequenced(resumed.events).map((event) => Number(event.lastEventId));
    expect(ids).toEqual(ids.map((_, index) => from + 1 + index));
    const replay = types.slice(0, types.indexOf('resumed'));
    expect(replay.length).toBeGreaterThan(7);
    expect(replay).not.toContain('notification');
    const done = decodeClockEvent('resumed', ofType(resumed.events, 'resumed')[0]!.data);
    expect(done?.data).toEqual({ after: String(from), replayed: replay.length - 1 });
  });

  test('an unknown or malformed id starts live after a reset event', async ({ baseURL }) => {
    for (const [id, reason] of [
      ['999999999', 'unknown'],
      ['banana', 'malformed'],
    ] as const) {
      const { events } = await readEventsUntil(`${baseURL}/api/clock?lastEventId=${id}`, {}, (seen) => ofType(seen, 'reset').length > 0);
      const reset = decodeClockEvent('reset', ofType(events, 'reset')[0]!.data);
      expect(reset?.type === 'reset' && reset.data.reason).toBe(reason);
    }
  });

  test('dropAfter cuts the response off abruptly after that many events', async ({ baseURL }) => {
    const { events, dropped } = await readUntilEnd(await fetch(`${baseURL}/api/clock?dropAfter=3`));
    expect(dropped).toBe(true);
    // The drop waits until the client has read the events before it, so exactly three arrive:
    // the greeting and two ticks (the notification is a second away).
    expect(events.map((event) => event.type)).toEqual(['message', 'update', 'update']);
  });
});
