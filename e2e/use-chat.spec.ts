import { expect, test, type Page } from '@playwright/test';
import { model, modelText } from './helpers';

// The chat page's third column (the AI SDK's useChat over /v1/ui/chat), the tool card's input
// filling in from partial JSON, and the /formats page, against next start in Chromium.

async function ask(page: Page, prompt: string, { seed, delay }: { seed: number; delay: number }) {
  await page.getByTestId('delay').fill(String(delay));
  await page.getByTestId('seed').fill(String(seed));
  await page.getByTestId('prompt').fill(prompt);
  await page.getByTestId('send').click();
}

/** The Markdown of the column's last answer, as its Copy button writes it. */
async function copiedAnswer(page: Page, column: string): Promise<string> {
  await page.getByTestId(`${column}-copy`).click();
  return page.evaluate(() => navigator.clipboard.readText());
}

test.describe('/chat: the AI SDK useChat column', () => {
  test.beforeEach(async ({ context, page }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/chat');
    // The column renders once in the browser.
    await expect(page.getByTestId('ai-panel')).toBeVisible();
  });

  test('answers with the same text as the other columns and the model, for the same prompt and seed', async ({ page }) => {
    const prompt = 'What are server-sent events?';
    await ask(page, prompt, { seed: 7, delay: 3 });
    for (const side of ['es', 'fetch', 'ai']) await expect(page.getByTestId(`${side}-status`)).toHaveText('ready');
    const esAnswer = await page.getByTestId('es-answer').innerText();
    await expect(page.getByTestId('ai-answer')).toHaveText(esAnswer, { useInnerText: true });
    expect(await copiedAnswer(page, 'ai')).toBe(modelText(prompt, 7));
    const tokens = model(prompt, 7).filter((step) => step.type === 'token').length;
    await expect(page.getByTestId('ai-metrics')).toContainText(`${tokens} tokens`);
    await expect(page.getByTestId('ai-metrics')).toContainText('first token');
    await expect(page.getByTestId('ai-metrics')).toContainText('finish: stop');
    // The same stats as the other columns, and plainly none where the AI SDK has no such thing.
    await expect(page.getByTestId('ai-run-id')).toHaveText(/^[A-Za-z0-9_-]{9}…$/);
    for (const stat of ['last-id', 'reconnects', 'backoff']) {
      await expect(page.getByTestId(`es-${stat}`)).toBeVisible();
      await expect(page.getByTestId(`ai-${stat}`)).toHaveText('none');
    }
    await expect(page.getByTestId('ai-resumed')).toHaveText('no');
    await expect(page.getByTestId('ai-stats-note')).toContainText('none: the AI SDK has no such thing. Its UI message stream carries no event ids');
    await expect(page.getByTestId('ai-stats-note')).toContainText('neither reconnects a dropped stream on its own nor backs off');
  });

  test('a reload mid-answer resumes the answer from the run log, its text appearing exactly once', async ({ page }) => {
    // A long answer, replayed from its start after the reload: more than the default 30 s on a
    // loaded machine.
    test.setTimeout(90_000);
    const prompt = 'What is SSE? /long';
    await ask(page, prompt, { seed: 11, delay: 4 });
    await expect(page.getByTestId('ai-answer')).not.toBeEmpty();
    await expect(page.getByTestId('ai-status')).toHaveText('streaming');
    // The page's load asked to resume once, and the server had nothing (useChat's resume: true).
    await expect(page.getByTestId('ai-resume-asks')).toHaveText('204');
    await expect(page.getByTestId('ai-replayed')).toHaveText('0');
    await page.reload();
    await expect(page.getByTestId('ai-resumed')).toHaveText('yes');
    await expect(page.getByTestId('ai-resume-asks')).toHaveText('replay');
    // A count the page formats for its language: 1,104 past a thousand.
    await expect(page.getByTestId('ai-replayed')).toHaveText(/^[1-9][\d,]* chunks$/);
    await expect(page.getByTestId('ai-status')).toHaveText('ready', { timeout: 60_000 });
    await expect(page.getByTestId('ai-turn')).toHaveCount(1);
    expect(await copiedAnswer(page, 'ai')).toBe(modelText(prompt, 11));
    // Nothing is stored any more: a second reload resumes nothing (the resume route answers 204).
    await page.reload();
    await expect(page.getByTestId('ai-panel')).toBeVisible();
    await expect(page.getByTestId('ai-turn')).toHaveCount(0);
    await expect(page.getByTestId('ai-resumed')).toHaveText('no');
    await expect(page.getByTestId('ai-resume-asks')).toHaveText('204');
  });

  test('Stop ends the run on the server too: the column sends DELETE /v1/ui/chat/<its run id>', async ({ page }) => {
    let runId: string | undefined;
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/v1/ui/chat') runId = response.headers()['x-stream-id'];
    });
    await ask(page, 'What is SSE? /long', { seed: 2, delay: 100 });
    await expect(page.getByTestId('ai-answer')).not.toBeEmpty();
    const deleted = page.waitForResponse((response) => response.request().method() === 'DELETE' && new URL(response.url()).pathname.startsWith('/v1/ui/chat/'));
    await page.getByTestId('ai-stop').click();
    const response = await deleted;
    expect(runId).toBeDefined();
    expect(new URL(response.url()).pathname).toBe(`/v1/ui/chat/${runId}`);
    expect(response.status()).toBe(204);
  });

  test('after a network failure useChat asks to resume again when the tab becomes visible', async ({ page }) => {
    // The page's load asked once: nothing to resume.
    await expect(page.getByTestId('ai-resume-asks')).toHaveText('204');
    // The question's POST fails as a dropped network would (fetch rejects with a TypeError).
    await page.route('**/v1/ui/chat', (route) => route.abort('internetdisconnected'));
    await ask(page, 'What are server-sent events?', { seed: 3, delay: 1 });
    await expect(page.getByTestId('ai-connection')).toHaveText('error');
    await expect(page.getByTestId('ai-resume-asks')).toHaveText('204');
    // useChat's only way back: the tab turning visible again after a disconnect. The POST never
    // reached the server, so there is no run id to resume by and the server has nothing.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expect(page.getByTestId('ai-resume-asks')).toHaveText('204, 204');
  });

  test('the tool card shows the input object filling in while it streams, then the whole input', async ({ page }) => {
    const prompt = 'Look up the docs on Last-Event-ID';
    const call = model(prompt, 7).find((step) => step.type === 'tool' && step.data.state === 'call');
    if (call?.type !== 'tool' || call.data.state !== 'call') throw new Error('The model made no tool call for this prompt.');
    const query = (call.data.input as { query: string }).query;
    expect(query).toMatch(/[^\p{L}\p{N}]/u);

    // Every state each column's card renders, recorded in the page as React commits it. A test
    // that polls the card instead can step over the partial states (each lasts one piece's pause)
    // or time out before them: the model thinks and searches for 20 to 35 times the per-token delay
    // before the first piece (9.2 s at 300 ms for this seed, the query's first word at 9.8 s).
    await page.evaluate(() => {
      const seen: Record<string, string[]> = { es: [], fetch: [], ai: [] };
      (window as unknown as { toolCards: typeof seen }).toolCards = seen;
      new MutationObserver(() => {
        for (const side of Object.keys(seen)) {
          const card = document.querySelector(`[data-testid="${side}-panel"] [data-testid="tool-card"]`);
          if (!card) continue;
          const state = `${card.getAttribute('data-state')} ${card.querySelector('[data-testid="tool-input"]')?.textContent ?? ''}`;
          if (seen[side]!.at(-1) !== state) seen[side]!.push(state);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await ask(page, prompt, { seed: 7, delay: 100 });
    for (const side of ['es', 'fetch', 'ai']) {
      await expect(page.getByTestId(`${side}-panel`).getByTestId('tool-card')).toHaveAttribute('data-state', 'result', { timeout: 30_000 });
    }
    const seen = await page.evaluate(() => (window as unknown as { toolCards: Record<string, string[]> }).toolCards);
    for (const side of ['es', 'fetch', 'ai']) {
      const states = seen[side]!.map((entry) => {
        const space = entry.indexOf(' ');
        const text = entry.slice(space + 1);
        return { state: entry.slice(0, space), input: text ? (JSON.parse(text) as { query?: string }) : undefined };
      });
      const streaming = states.filter((entry) => entry.state === 'input-streaming').map((entry) => entry.input?.query);
      // While it streams, the query is only ever a beginning of the whole, and it grows.
      for (const [index, partial] of streaming.entries()) {
        if (partial === undefined) continue;
        expect(query.startsWith(partial), `${side}: "${partial}" begins "${query}"`).toBe(true);
        for (const earlier of streaming.slice(0, index)) if (earlier !== undefined) expect(partial.startsWith(earlier)).toBe(true);
      }
      // Some of it shows before all of it: a query with a word in it and more to come.
      expect(
        streaming.some((partial) => partial !== undefined && partial.length > 0 && partial.length < query.length),
        `${side} card states: ${JSON.stringify(seen[side])}`,
      ).toBe(true);
      // Then the call with the whole input, then the result.
      expect(states.find((entry) => entry.state === 'call')?.input).toEqual(call.data.input);
      expect(states.at(-1)?.state).toBe('result');
    }
  });
});

test('the comparison on / has the useChat row, linking to the chat page', async ({ page }) => {
  await page.goto('/');
  const row = page.getByTestId('comparison').getByRole('row').filter({ hasText: 'useChat' });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('rowheader')).toHaveText('With the AI SDK (useChat)');
  await row.getByRole('link').click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId('ai-panel')).toBeVisible();
});

test.describe('/formats', () => {
  test('shows the raw frames of our protocol, OpenAI, Anthropic and the AI SDK for one prompt', async ({ page }) => {
    await page.goto('/formats');
    await page.getByTestId('wire-prompt').fill('Look up the docs on Last-Event-ID');
    await page.getByTestId('wire-seed').fill('7');
    await page.getByTestId('wire-delay').fill('0');
    await page.getByTestId('wire-send').click();
    const expected: Record<string, string[]> = {
      ours: ['event: tool', '"state":"input-streaming"', 'event: token', 'event: done', '"usage"'],
      openai: ['"object":"chat.completion.chunk"', '"tool_calls"', '"finish_reason":"tool_calls"', '"usage":{"prompt_tokens"', 'data: [DONE]'],
      anthropic: ['event: message_start', 'event: content_block_start', '"input_json_delta"', '"stop_reason":"tool_use"', 'event: message_stop'],
      'ai-sdk': ['"type":"start"', '"type":"tool-input-delta"', '"type":"text-delta"', '"type":"finish"', 'data: [DONE]'],
    };
    for (const [id, markers] of Object.entries(expected)) {
      await expect(page.getByTestId(`wire-${id}-status`)).toContainText('ended');
      await expect(page.getByTestId(`wire-${id}-status`)).toContainText('200 text/event-stream');
      for (const marker of markers) await expect(page.getByTestId(`wire-${id}-frames`)).toContainText(marker);
    }
  });
});

test('leaving /formats inside the app ends its four streams on the server', async ({ page, baseURL }) => {
  const open = async () => {
    const stats = (await (await fetch(`${baseURL}/api/stats`)).json()) as { openStreamsByRoute: Record<string, number> };
    return ['chat', 'openai', 'anthropic', 'ui-message'].reduce((sum, label) => sum + (stats.openStreamsByRoute[label] ?? 0), 0);
  };
  await page.goto('/formats');
  // Slow enough that each answer would stream for a minute.
  await page.getByTestId('wire-delay').fill('1000');
  await page.getByTestId('wire-send').click();
  for (const id of ['ours', 'openai', 'anthropic', 'ai-sdk']) await expect(page.getByTestId(`wire-${id}-status`)).toContainText('200');
  await expect.poll(open).toBe(4);
  // A client-side navigation keeps the page's JavaScript running: only an unmount abort ends them.
  await page.getByRole('banner').getByRole('link', { name: 'Course', exact: true }).click();
  await expect(page).toHaveURL(/\/learn$/);
  await expect.poll(open).toBe(0);
});

test.describe('GET /v1/ui/chat/<id>/stream', () => {
  const body = JSON.stringify({
    id: 'chat-resume',
    trigger: 'submit-message',
    messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'What are server-sent events?' }] }],
  });
  const dataLines = (text: string) => text.split('\n').filter((line) => line.startsWith('data: '));

  test('replays the run X-Stream-Id named from its start; 204 when there is nothing to resume, 400 for a bad id', async ({ request }) => {
    const posted = await request.post('/v1/ui/chat', { headers: { 'Content-Type': 'application/json', 'X-Delay-Ms': '0', 'X-Seed': '5' }, data: body });
    expect(posted.status()).toBe(200);
    const runId = posted.headers()['x-stream-id'];
    expect(runId).toBeTruthy();
    const live = dataLines(await posted.text());
    expect(live.at(-1)).toBe('data: [DONE]');

    const resumed = await request.get(`/v1/ui/chat/${runId}/stream`);
    expect(resumed.status()).toBe(200);
    expect(resumed.headers()['x-vercel-ai-ui-message-stream']).toBe('v1');
    expect(dataLines(await resumed.text())).toEqual(live);

    expect((await request.get('/v1/ui/chat/chat-resume/stream')).status()).toBe(204);
    const bad = await request.get('/v1/ui/chat/not%20an%20id/stream');
    expect(bad.status()).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
  });
});

test.describe('DELETE /v1/ui/chat/<id>', () => {
  const messages = [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'What is SSE? /long' }] }];

  test('ends a running answer on the server: the stream stops without finish, a resume replays only what was made', async ({ baseURL }) => {
    // Slow enough that the whole answer would take minutes.
    const posted = await fetch(`${baseURL}/v1/ui/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Delay-Ms': '200', 'X-Seed': '3' },
      body: JSON.stringify({ id: 'chat-stop', trigger: 'submit-message', messages }),
    });
    expect(posted.status).toBe(200);
    const runId = posted.headers.get('x-stream-id')!;
    expect(runId).toMatch(/^[\w-]+$/);
    const reader = posted.body!.getReader();
    let text = '';
    while (!text.includes('"text-delta"')) text += new TextDecoder().decode((await reader.read()).value);

    const stopped = await fetch(`${baseURL}/v1/ui/chat/${runId}`, { method: 'DELETE' });
    expect(stopped.status).toBe(204);
    // The live stream ends (rather than running on for minutes), with no finish.
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value);
    expect(text).not.toContain('"type":"finish"');
    // The run is over: a resume replays what was made and ends, no finish in it either.
    const resumed = await fetch(`${baseURL}/v1/ui/chat/${runId}/stream`);
    expect(resumed.status).toBe(200);
    const replay = await resumed.text();
    expect(replay).toContain('"text-delta"');
    expect(replay).not.toContain('"type":"finish"');
  });

  test('404 for an unknown run, 400 for a malformed id, 405 for other methods', async ({ baseURL }) => {
    const unknown = await fetch(`${baseURL}/v1/ui/chat/neverSeenStream`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await fetch(`${baseURL}/v1/ui/chat/not%20an%20id`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    const get = await fetch(`${baseURL}/v1/ui/chat/neverSeenStream`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('DELETE');
  });
});
