import type { Metadata } from 'next';
import { ChatPlayground } from '@/components/chat/chat-playground';

export const metadata: Metadata = { title: 'AI chat' };

export default function ChatPage() {
  return (
    <>
      <h1>Simulated AI chat</h1>
      <p className="lead">
        A model that streams like a real one: stages, tool calls (their input as partial JSON), tokens and a final{' '}
        <code>done</code> with usage. One prompt goes to all three columns with the same seed, so the answers match; the
        difference is the transport: <code>EventSource</code>, <code>fetch</code> with our parser, and the AI SDK&apos;s{' '}
        <code>useChat</code>.
      </p>
      <ChatPlayground />
    </>
  );
}
