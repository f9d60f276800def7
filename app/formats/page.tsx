import type { Metadata } from 'next';
import { WireFormats } from '@/components/formats/wire-formats';

export const metadata: Metadata = { title: 'Wire formats' };

export default function FormatsPage() {
  return (
    <>
      <h1>Wire formats</h1>
      <p className="lead">
        The same model, seed and prompt framed four ways, read raw as the bytes arrive: our own protocol (named events, ids to resume
        by), OpenAI&apos;s <code>chat.completion.chunk</code> lines ending with <code>[DONE]</code>, Anthropic&apos;s named events
        from <code>message_start</code> to <code>message_stop</code>, and the AI SDK&apos;s UI message chunks. Compare how each sends a
        token, a tool call (its input in partial JSON pieces), the usage and the end. With the tool offered, OpenAI and Anthropic stop at
        the call and wait for the client to run it; our protocol and the AI SDK stream run it on the server and go on.
      </p>
      <WireFormats />
    </>
  );
}
