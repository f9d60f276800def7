import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const TSX = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Runs the `sse` command; stops it once `enough` lines are out, or lets it exit by itself. */
function runCli(args: string[], { stdin, enough }: { stdin?: string; enough?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['scripts/sse.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (enough !== undefined && stdout.split('\n').length > enough) child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Never outlive the test, holding a stream open on the shared server.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

test.describe('npm run sse', () => {
  test('--json prints one {type,data,lastEventId} object per event', async ({ baseURL }) => {
    const { stdout } = await runCli(['--json', `${baseURL}/api/clock`], { enough: 3 });
    const events = stdout.trim().split('\n').slice(0, 3).map((line) => JSON.parse(line) as Record<string, string>);
    expect(Object.keys(events[0]!).sort()).toEqual(['data', 'lastEventId', 'type']);
    expect(events[0]!.type).toBe('message');
    expect(events.slice(1).every((event) => event.type === 'update' && /^\d+$/.test(String(event.lastEventId)))).toBe(true);
  });

  test('prints events readably', async ({ baseURL }) => {
    const { stdout } = await runCli([`${baseURL}/api/clock`], { enough: 2 });
    expect(stdout).toMatch(/^\[message\] #\d+ Connected to the clock/);
    expect(stdout).toMatch(/\n\[update\] #\d+ \{"timestamp":/);
  });

  test('- parses a stream from stdin, multi-line data and CRLF included', async () => {
    const { code, stdout } = await runCli(['--json', '-'], { stdin: 'data: a\r\ndata: b\r\n\r\nevent: x\nid: 7\ndata: y\n\n' });
    expect(code).toBe(0);
    expect(stdout).toBe('{"type":"message","data":"a\\nb","lastEventId":""}\n{"type":"x","data":"y","lastEventId":"7"}\n');
  });

  for (const [name, target, message] of [
    ['a bad URL', 'not a url', /not a valid URL/],
    ['a refused connection', 'http://127.0.0.1:39999/x', /cannot connect/],
    ['a response that is not an event stream', '/api/health', /Expected text\/event-stream/],
    ['an HTTP error', '/api/chat', /HTTP 400/],
  ] as const) {
    test(`${name} gives a one-line error and exit code 1`, async ({ baseURL }) => {
      const { code, stderr, stdout } = await runCli([target.startsWith('/') ? `${baseURL}${target}` : target]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    });
  }
});
