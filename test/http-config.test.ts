import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkEnvironment, ConfigError, normaliseOrigin, SETTINGS, type Env } from '../lib/http/config';

function errorOf(env: Env): string | undefined {
  try {
    checkEnvironment(env);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ConfigError, 'a bad setting is a ConfigError');
    return error.message;
  }
}

describe('checkEnvironment', () => {
  test('accepts an environment with no settings, and with every setting at a good value', () => {
    assert.equal(errorOf({ PATH: '/bin', SSEX: 'not ours', CHATTY: 'nor this' }), undefined);
    assert.equal(
      errorOf({
        SSE_AUTH_TOKEN: 'token',
        SSE_MAX_STREAMS: '10',
        SSE_TRUST_PROXY: '0',
        SSE_ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/',
        SSE_FAULT_INJECTION: 'off',
        CLOCK_INTERVAL_MS: '10',
        CHAT_MAX_RUNS_PER_IP: '16',
        SSE_HEARTBEAT_MS: '',
      }),
      undefined,
    );
  });

  test('names the variable, its value and what is allowed, in one line', () => {
    const cases: [Env, string][] = [
      [{ SSE_MAX_STREAMS: 'abc' }, 'SSE_MAX_STREAMS="abc" is not allowed: use an integer from 1 to 1000000.'],
      [{ SSE_MAX_STREAMS: '0' }, 'SSE_MAX_STREAMS="0" is not allowed: use an integer from 1 to 1000000.'],
      [{ SSE_MAX_STREAMS: '1.5' }, 'SSE_MAX_STREAMS="1.5" is not allowed: use an integer from 1 to 1000000.'],
      [{ SSE_MAX_STREAMS: '0x10' }, 'SSE_MAX_STREAMS="0x10" is not allowed: use an integer from 1 to 1000000.'],
      [{ CLOCK_BUFFER_SIZE: '100001' }, 'CLOCK_BUFFER_SIZE="100001" is not allowed: use an integer from 1 to 100000.'],
      [{ SSE_FAULT_INJECTION: 'true' }, 'SSE_FAULT_INJECTION="true" is not allowed: use "on" or "off".'],
    ];
    for (const [env, message] of cases) {
      assert.equal(errorOf(env), message);
      assert.doesNotMatch(message, /\n/);
    }
  });

  test('refuses a variable with a setting prefix that is not a setting, naming the known ones', () => {
    const message = errorOf({ CLOCK_INTERVAL: '100' });
    assert.equal(message, 'CLOCK_INTERVAL is not a setting of this server; the CLOCK_* settings are CLOCK_INTERVAL_MS, CLOCK_NOTIFICATION_MS, CLOCK_BUFFER_SIZE.');
  });

  test('never repeats a secret in the error line', () => {
    const message = errorOf({ SSE_AUTH_TOKEN: ' hunter2' });
    assert.equal(message, 'SSE_AUTH_TOKEN=(8 characters, not shown) is not allowed: use text without spaces at either end.');
    assert.equal(errorOf({ SSE_AUTH_TOKN: 'hunter2' })?.includes('hunter2'), false);
  });

  test('refuses allowed origins that are not exactly origins', () => {
    for (const origins of ['*', 'https://*.example', 'https://a.example/app', 'https://a.example?x', 'https://u@a.example', 'ftp://a.example', 'a.example']) {
      assert.match(errorOf({ SSE_ALLOWED_ORIGINS: origins }) ?? '', /^SSE_ALLOWED_ORIGINS=.* is not allowed: use comma-separated origins/, origins);
    }
  });
});

describe('the settings table', () => {
  test('fault injection defaults to on under next dev and off under next start', () => {
    const { fallback } = SETTINGS.SSE_FAULT_INJECTION;
    assert.equal(typeof fallback === 'function' && fallback({ NODE_ENV: 'development' }), 'on');
    assert.equal(typeof fallback === 'function' && fallback({ NODE_ENV: 'production' }), 'off');
  });

  test('every default is itself an allowed value', () => {
    for (const [name, definition] of Object.entries(SETTINGS)) {
      const fallback = typeof definition.fallback === 'function' ? definition.fallback({}) : definition.fallback;
      if (typeof fallback !== 'number') continue;
      assert.equal((definition.parse as (raw: string) => unknown)(String(fallback)), fallback, name);
    }
  });
});

describe('normaliseOrigin', () => {
  test('gives the canonical origin, and undefined for anything more or less than an origin', () => {
    assert.equal(normaliseOrigin('HTTPS://App.Example:443/'), 'https://app.example');
    assert.equal(normaliseOrigin('http://127.0.0.1:3301'), 'http://127.0.0.1:3301');
    assert.equal(normaliseOrigin('http://127.0.0.1:3301/x'), undefined);
    assert.equal(normaliseOrigin('null'), undefined);
  });
});
