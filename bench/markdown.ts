/**
 * Markdown while an answer streams: the work of one update (one animation frame) when only the
 * last block is parsed and rendered, as components/markdown.tsx does (splitBlocks, remend on the
 * last block, react-markdown on it; React's memo skips the finished blocks), against parsing and
 * rendering the whole answer every frame.
 *
 *   npm run bench:markdown   (or: npx tsx bench/markdown.ts [tokens] [tokens per frame])
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import ReactMarkdown from 'react-markdown';
import remarkBreaks from 'remark-breaks';
import remarkGfm from 'remark-gfm';
import { splitBlocks } from '../lib/markdown/blocks';

const tokenCount = Number(process.argv[2] ?? 2000);
const tokensPerFrame = Number(process.argv[3] ?? 8);
const plugins = [remarkGfm, remarkBreaks];

const section = (n: number) =>
  `## Step ${n}\n\nA paragraph with **bold**, *emphasis*, \`code\` and a [link](https://example.com/${n}).\n` +
  'It goes on for a second line.\n\n' +
  `1. first item\n2. second item with \`npm run ${n}\`\n   - nested\n\n` +
  `\`\`\`ts\nconst step = ${n};\n\nexport function run() {\n  return step * 2;\n}\n\`\`\`\n\n` +
  '| a | b |\n|---|---|\n| 1 | 2 |\n\n> A quote to end the section.\n\n';

// Tokens of about four characters, as model tokenizers give for English and code.
let answer = '';
for (let n = 1; answer.length < tokenCount * 4; n++) answer += section(n);
const tokens = answer.slice(0, tokenCount * 4).match(/[\s\S]{1,4}/g) ?? [];

// remend exports for `import` only, which tsx's CommonJS `require` cannot resolve: import() can.
type Remend = typeof import('remend').default;
let remend: Remend;

function render(markdown: string): string {
  return renderToStaticMarkup(createElement(ReactMarkdown, { remarkPlugins: plugins }, markdown));
}

function lastBlockOnly(text: string): void {
  const blocks = splitBlocks(text);
  const last = blocks.at(-1);
  if (last) render(remend(last.source, { linkMode: 'text-only' }));
}

function wholeAnswer(text: string): void {
  render(remend(text, { linkMode: 'text-only' }));
}

function run(label: string, update: (text: string) => void): void {
  const frames: number[] = [];
  let text = '';
  for (let i = 0; i < tokens.length; i += tokensPerFrame) {
    text += tokens.slice(i, i + tokensPerFrame).join('');
    const started = performance.now();
    update(text);
    frames.push(performance.now() - started);
  }
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  const total = frames.reduce((sum, ms) => sum + ms, 0);
  console.log(
    `${label.padEnd(18)} ${frames.length} frames  total ${total.toFixed(0)} ms  ` +
      `median ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${at(1)} ms`,
  );
}

async function main(): Promise<void> {
  remend = (await import('remend')).default;
  render(answer); // loads and warms up the parser before either run
  console.log(`${tokens.length} tokens (${answer.slice(0, tokenCount * 4).length} chars), ${tokensPerFrame} tokens a frame`);
  run('last block only', lastBlockOnly);
  run('whole answer', wholeAnswer);
}

void main();
