import type { SseEvent } from '@/lib/sse/types';

/**
 * The parser people write in five minutes, kept here to show what it gets wrong: it decodes each
 * chunk on its own (breaking characters cut between chunks), splits on "\n\n" only (CR and CRLF
 * streams never dispatch), takes any `id`, dispatches a last block with no blank
 * line, and forgets the last event ID between events. (Its TextDecoder does strip a BOM.)
 */
export function naiveParse(chunks: readonly Uint8Array[]): SseEvent[] {
  const text = chunks.map((chunk) => new TextDecoder().decode(chunk)).join('');
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    let type = 'message';
    let id = '';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(': ');
      const value = rest.join(': ');
      if (field === 'data') data.push(value);
      else if (field === 'event') type = value;
      else if (field === 'id') id = value;
    }
    if (data.length > 0) events.push({ type, data: data.join('\n'), lastEventId: id });
  }
  return events;
}
