/**
 * The AI SDK's UI message stream (`x-vercel-ai-ui-message-stream: v1`), which `useChat` and
 * `DefaultChatTransport` read: the model's steps as `data:` chunks ending with `data: [DONE]`.
 * Here the server runs the tool itself, as on `/api/chat`, so a look-up shows both the tool's
 * input and its output. Only the documented fields are sent: strict clients reject others.
 */

import type { ChatStep } from '../protocol';
import type { Frame } from './frame';

/** The header that tells the AI SDK which stream protocol the response speaks. */
export const UI_MESSAGE_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'x-vercel-ai-ui-message-stream': 'v1' });

/**
 * The model's steps as UI message chunks: `start`, then one step per phase (`start-step` …
 * `finish-step`): the tool call (`tool-input-start`, a `tool-input-delta` per piece of its JSON
 * input as the model streams it, `tool-input-available`, `tool-output-available`) and the answer (`text-start`, a
 * `text-delta` per token, `text-end`); then `finish` with the reason and `[DONE]`. A failure
 * sends `error` with its message before `[DONE]`. Status steps become pauses.
 */
export function uiMessageChunks(steps: readonly ChatStep[], { messageId }: { messageId: string }): Frame[] {
  const frames: Frame[] = [];
  // Each step's pause goes to the first frame sent after it; a status step sends none.
  let pause = 0;
  const push = (data: unknown) => {
    frames.push({ data, delayMs: pause });
    pause = 0;
  };
  const textId = `text-${messageId}`;
  let inStep = false;
  let inText = false;
  // The tool call whose input is streaming: its pieces follow one `tool-input-start`.
  let openInput: string | undefined;
  const openStep = () => {
    if (!inStep) push({ type: 'start-step' });
    inStep = true;
  };
  const closeStep = () => {
    if (inText) push({ type: 'text-end', id: textId });
    if (inStep) push({ type: 'finish-step' });
    inText = false;
    inStep = false;
  };

  push({ type: 'start', messageId });
  for (const step of steps) {
    pause += step.delayMs;
    switch (step.type) {
      case 'status':
        break;
      case 'tool': {
        const { id: toolCallId, name: toolName } = step.data;
        if (step.data.state === 'input-streaming') {
          if (toolCallId !== openInput) {
            closeStep();
            openStep();
            push({ type: 'tool-input-start', toolCallId, toolName });
            openInput = toolCallId;
          }
          push({ type: 'tool-input-delta', toolCallId, inputTextDelta: step.data.inputTextDelta });
        } else if (step.data.state === 'call') {
          if (toolCallId !== openInput) {
            closeStep();
            openStep();
            push({ type: 'tool-input-start', toolCallId, toolName });
          }
          openInput = undefined;
          push({ type: 'tool-input-available', toolCallId, toolName, input: step.data.input });
        } else {
          push({ type: 'tool-output-available', toolCallId, output: step.data.output });
          closeStep();
        }
        break;
      }
      case 'token':
        openStep();
        if (!inText) push({ type: 'text-start', id: textId });
        inText = true;
        push({ type: 'text-delta', id: textId, delta: step.data.text });
        break;
      case 'done':
        closeStep();
        push({ type: 'finish', finishReason: step.data.finishReason === 'length' ? 'length' : 'stop' });
        push('[DONE]');
        break;
      case 'error':
        closeStep();
        push({ type: 'error', errorText: step.data.message });
        push('[DONE]');
        break;
    }
  }
  return frames;
}
