import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import { abortableDelay, backoffDelay, parseRetryAfter } from '../lib/sse/backoff';
import { flush, trackTimeouts } from './support/timers';

const JUST_UNDER_ONE = 1 - Number.EPSILON;

describe('backoffDelay', () => {
  test('doubles the ceiling with every failure', () => {
    const delays = [0, 1, 2, 3, 4].map((failures) =>
      backoffDelay({ baseMs: 1000, capMs: 60_000, failures, random: () => 0.999 }),
    );
    assert.deepEqual(delays, [999, 1998, 3996, 7992, 15984]);
  });

  test('never goes above the cap, however many failures', () => {
    const delays = [5, 6, 10, 1000].map((failures) =>
      backoffDelay({ baseMs: 1000, capMs: 30_000, failures, random: () => 0.999 }),
    );
    assert.deepEqual(delays, [29970, 29970, 29970, 29970]);
  });

  test('uses the cap as the ceiling when the base alone exceeds it', () => {
    assert.equal(backoffDelay({ baseMs: 50_000, capMs: 30_000, failures: 0, random: () => 0.5 }), 15_000);
  });

  test('stays finite for a huge failure count', () => {
    assert.equal(
      backoffDelay({ baseMs: 1000, capMs: Number.POSITIVE_INFINITY, failures: 10_000, random: () => 0.5 }),
      1000 * 2 ** 29,
    );
  });

  test('draws from the whole window: a random 0 gives no delay at all', () => {
    assert.equal(backoffDelay({ baseMs: 1000, capMs: 30_000, failures: 3, random: () => 0 }), 0);
  });

  test('draws from the whole window: a random just under 1 gives just under the ceiling', () => {
    assert.equal(backoffDelay({ baseMs: 1000, capMs: 30_000, failures: 0, random: () => JUST_UNDER_ONE }), 999);
    assert.equal(backoffDelay({ baseMs: 1000, capMs: 30_000, failures: 3, random: () => JUST_UNDER_ONE }), 7999);
    assert.equal(backoffDelay({ baseMs: 1000, capMs: 30_000, failures: 9, random: () => JUST_UNDER_ONE }), 29_999);
  });

  test('scales the draw linearly inside the window', () => {
    assert.equal(backoffDelay({ baseMs: 1000, capMs: 30_000, failures: 2, random: () => 0.25 }), 1000);
  });

  test('gives no delay for a base of zero', () => {
    assert.equal(backoffDelay({ baseMs: 0, capMs: 30_000, failures: 4, random: () => 0.9 }), 0);
  });
});

describe('parseRetryAfter', () => {
  afterEach(() => mock.timers.reset());

  test('reads delay-seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    assert.equal(parseRetryAfter('0'), 0);
  });

  test('ignores whitespace around delay-seconds', () => {
    assert.equal(parseRetryAfter(' 5 '), 5000);
  });

  test('reads an HTTP date as the milliseconds from now until then', () => {
    const now = Date.parse('2015-10-21T07:28:00Z');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
  });

  test('reads the obsolete RFC 850 date form too', () => {
    const now = Date.parse('1994-11-06T08:49:00Z');
    assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 37_000);
  });

  test('measures an HTTP date from the current time by default', () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2015-10-21T07:28:00Z') });
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:30:00 GMT'), 120_000);
  });

  test('reads an HTTP date in the past as no wait', () => {
    const now = Date.parse('2015-10-21T07:28:00Z');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  });

  for (const garbage of ['soon', '', '   ', '1.5', '-1', '1e3', '120 seconds', 'abc 1', '0x10']) {
    test(`gives undefined for the garbage value ${JSON.stringify(garbage)}`, () => {
      assert.equal(parseRetryAfter(garbage, Date.parse('2015-10-21T07:28:00Z')), undefined);
    });
  }

  test('gives undefined for a missing header', () => {
    assert.equal(parseRetryAfter(null), undefined);
  });
});

describe('abortableDelay', () => {
  afterEach(() => {
    // Restore the spies before the fake timers they wrap.
    mock.restoreAll();
    mock.timers.reset();
  });

  test('resolves once the delay has passed, and not before', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const live = trackTimeouts();
    const settled = track(abortableDelay(1000, new AbortController().signal));
    mock.timers.tick(999);
    await flush();
    assert.equal(settled.done, false);
    mock.timers.tick(1);
    await flush();
    assert.equal(settled.done, true);
    assert.equal(live.size, 0);
  });

  test('resolves at once when the signal aborts, and leaves no timer behind', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const live = trackTimeouts();
    const controller = new AbortController();
    const settled = track(abortableDelay(60_000, controller.signal));
    await flush();
    assert.equal(settled.done, false);
    assert.equal(live.size, 1);
    controller.abort();
    await flush();
    assert.equal(settled.done, true);
    assert.equal(live.size, 0);
  });

  test('resolves at once without a timer when the signal is already aborted', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const live = trackTimeouts();
    const settled = track(abortableDelay(60_000, AbortSignal.abort()));
    await flush();
    assert.equal(settled.done, true);
    assert.equal(live.size, 0);
  });

  test('removes its abort listener once the delay has passed', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const controller = new AbortController();
    const remove = mock.method(controller.signal, 'removeEventListener');
    const settled = track(abortableDelay(10, controller.signal));
    mock.timers.tick(10);
    await flush();
    assert.equal(settled.done, true);
    assert.equal(remove.mock.callCount(), 1);
    assert.equal(remove.mock.calls[0]?.arguments[0], 'abort');
  });

  test('does not resolve early for a delay longer than a 32-bit timer can hold', async () => {
    // Real timers: Node turns an over-long setTimeout into a 1 ms one, which fake timers do not copy.
    const controller = new AbortController();
    const settled = track(abortableDelay(2 ** 31, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(settled.done, false);
    controller.abort();
    await flush();
    assert.equal(settled.done, true);
  });
});

function track(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}


