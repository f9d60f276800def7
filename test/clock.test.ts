import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { attachClient, createClock, type Clock } from '../lib/server/clock';
import { decodeClockEvent, SEQUENCED_CLOCK_EVENT_TYPES } from '../lib/clock/protocol';
import { createParser } from '../lib/sse/parser';
import { encodeEvent, toBytes } from '../lib/sse/encoder';
import type { SseConnection } from '../lib/sse/server';
import type { SseEvent } from '../lib/sse/types';

// A client as the wire sees it: every byte the clock sends it goes through the library's parser,
// which keeps the last event ID across events as a browser does.
interface Client extends SseConnection {
  closed: boolean;
  events: SseEvent[];
  chunks: Uint8Array[];
  leave: () => void;
}

function client(): Client {
  const events: SseEvent[] = [];
  const chunks: Uint8Array[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const connection: Client = {
    events,
    chunks,
    leave: () => {},
    closed: false,
    signal: new AbortController().signal,
    send(event) {
      return connection.sendBytes(toBytes(encodeEvent(event)));
    },
    sendBytes(bytes) {
      chunks.push(bytes);
      parser.feed(bytes);
      return true;
    },
    comment: () => true,
    close() {
      connection.closed = true;
    },
  };
  return connection;
}

function join(clock: Clock, lastEventId: string | null = null): Client {
  const connection = client();
  connection.leave = attachClient(clock, connection, lastEventId);
  return connection;
}

const ofType = (connection: Client, type: string) => connection.events.filter((event) => event.type === type);

// Node 20's mock timers move Date to the end of a tick before they run its timers: advance in
// small steps so each tick sees its own time.
function advance(ms: number): void {
  for (let left = ms; left > 0; left -= 100) mock.timers.tick(Math.min(100, left));
}

let clocks: Clock[] = [];

function newClock(notificationDelayMs = 5000): Clock {
  const clock = createClock({ intervalMs: 1000, notificationDelayMs, bufferSize: 100 });
  clocks.push(clock);
  return clock;
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
});

afterEach(() => {
  for (const clock of clocks) clearInterval(clock.timer);
  clocks = [];
  mock.timers.reset();
});

describe('the clock', () => {
  test('greets a client with the newest id, then sends it every shared update', () => {
    const clock = newClock();
    const a = join(clock);
    advance(3000);
    assert.equal(a.events[0]!.type, 'message');
    assert.match(a.events[0]!.data, /^Connected to the clock: 1 listening, ticking every 1000 ms\.$/);
    assert.deepEqual(
      ofType(a, 'update').map((event) => event.lastEventId),
      ['1', '2', '3'],
    );
  });

  test('each client gets its own notification about CLOCK_NOTIFICATION_MS after it connected, from the shared tick', () => {
    const clock = newClock(5000);
    const a = join(clock);
    advance(2000);
    const b = join(clock);
    advance(4999);
    // a joined 6.999 s ago and was due at 5 s: told on the tick at 5 s. b joined 4.999 s ago.
    assert.equal(ofType(a, 'notification').length, 1);
    assert.equal(ofType(b, 'notification').length, 0);
    advance(1);
    assert.equal(ofType(b, 'notification').length, 1);
    // Once each, however long they stay.
    advance(60_000);
    assert.equal(ofType(a, 'notification').length, 1);
    assert.equal(ofType(b, 'notification').length, 1);
    const notification = decodeClockEvent('notification', ofType(b, 'notification')[0]!.data);
    assert.equal(notification?.type, 'notification');
    assert.deepEqual(notification.data, { title: 'Welcome', message: 'You joined 5 s ago; 2 listening now.', time: new Date(1_007_000).toISOString() });
  });

  test('a notification carries no id: the last event id stays on the shared sequence, with no gap', () => {
    const clock = newClock(5000);
    const a = join(clock);
    advance(10_000);
    const wire = new TextDecoder().decode(Buffer.concat(a.chunks));
    assert.match(wire, /\n\nevent: notification\ndata: \{[^\n]*\}\n\n/);
    assert.doesNotMatch(wire, /id: [^\n]*\nevent: notification/);
    const notification = ofType(a, 'notification')[0]!;
    // Sent after the update of the same tick, so a parser reports that update's id with it.
    assert.equal(notification.lastEventId, '5');
    const sequenced = a.events.filter((event) => SEQUENCED_CLOCK_EVENT_TYPES.includes(event.type as 'update'));
    assert.deepEqual(
      sequenced.map((event) => Number(event.lastEventId)),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  test('clients due in the same tick get the same bytes, encoded once; each gets one notification', () => {
    const clock = newClock(5000);
    const first = join(clock); // starts the ticks: at 1 s, 2 s, ...
    advance(100);
    const b = join(clock); // due at 5.1 s
    advance(200);
    const c = join(clock); // due at 5.3 s
    advance(5700);
    const chunkOf = (connection: Client) => connection.chunks.find((chunk) => /event: notification/.test(new TextDecoder().decode(chunk)));
    assert.ok(chunkOf(b));
    assert.equal(chunkOf(b), chunkOf(c), 'both told on the tick at 6 s, from one encoding');
    assert.notEqual(chunkOf(first), chunkOf(b), 'the first was told on the tick at 5 s');
    for (const connection of [first, b, c]) assert.equal(ofType(connection, 'notification').length, 1);
  });

  test('a client that leaves before its notification is due is not kept, and gets nothing', () => {
    const clock = newClock(5000);
    const stays = join(clock);
    const leaves = join(clock);
    assert.equal(clock.dueNotifications.size, 2);
    advance(2000);
    leaves.leave();
    assert.equal(clock.dueNotifications.size, 1);
    assert.equal(clock.dueNotifications.has(leaves), false);
    const before = leaves.events.length;
    advance(5000);
    assert.equal(leaves.events.length, before);
    assert.equal(ofType(stays, 'notification').length, 1);
    assert.equal(clock.dueNotifications.size, 0, 'a notification sent is forgotten too');
  });

  test('a resume replays the missed updates but never a notification', () => {
    const clock = newClock(2000);
    const a = join(clock);
    advance(6000);
    assert.equal(ofType(a, 'notification').length, 1);
    const resumed = join(clock, '1');
    assert.deepEqual(
      resumed.events.map((event) => `${event.type}#${event.lastEventId}`),
      ['message#1', 'update#2', 'update#3', 'update#4', 'update#5', 'update#6', 'resumed#6'],
    );
    assert.deepEqual(decodeClockEvent('resumed', resumed.events.at(-1)!.data)?.data, { after: '1', replayed: 5 });
  });

  test('an id the clock cannot resume from gets the greeting, then a reset, then live updates', () => {
    const clock = newClock();
    join(clock);
    advance(2000);
    const lost = join(clock, 'banana');
    advance(1000);
    assert.deepEqual(
      lost.events.map((event) => event.type),
      ['message', 'reset', 'update'],
    );
    assert.deepEqual(decodeClockEvent('reset', lost.events[1]!.data)?.data, { reason: 'malformed', lastEventId: 'banana', latestId: 2 });
  });

  test('the timer stops with the last client and the pending notifications go with it', () => {
    const clock = newClock();
    const a = join(clock);
    assert.ok(clock.timer);
    a.leave();
    assert.equal(clock.timer, undefined);
    assert.equal(clock.dueNotifications.size, 0);
  });
});
