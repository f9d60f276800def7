/**
 * A small markdown parser for streamed chat answers. It runs on every token, so it is linear in
 * the text, never throws, and reads partial markdown the way a person would: an unclosed fence is
 * a code block so far, an unclosed `**` or `[label](` stays literal text until it closes.
 *
 * It follows CommonMark where that is cheap (delimiter flanking, code spans, backslash escapes)
 * and parts with it where a chat answer reads better: a single newline is a line break, any list
 * item may interrupt a paragraph, and there is no raw HTML, no setext heading, no indented code.
 * HTML has no node type at all, so `<img onerror=...>` can only ever be text.
 */

/** Inline content: what paragraphs, headings, list items and quotes are made of. */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'emphasis'; children: Inline[] }
  | { type: 'inlineCode'; text: string }
  | { type: 'link'; href: string; children: Inline[] }
  /** A newline inside a block; chat models mean it as a line break. */
  | { type: 'break' };

/** Heading levels, `#` to `######`. */
export type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

/** A list at any depth; nested lists hang off their parent item. */
export interface List {
  ordered: boolean;
  /** Number of the first item; 1 for unordered lists. */
  start: number;
  items: ListItem[];
}

/** One item of a {@link List}. */
export interface ListItem {
  children: Inline[];
  sublist?: List;
}

/**
 * A top-level block. `source` is the exact text the block was parsed from: equal sources give
 * equal blocks, so a renderer can skip blocks that did not change while later tokens stream in.
 */
export type Block =
  | { type: 'heading'; level: HeadingLevel; children: Inline[]; source: string }
  | { type: 'paragraph'; children: Inline[]; source: string }
  | ({ type: 'list'; source: string } & List)
  | {
      type: 'code';
      /** First word of the fence's info string, `''` when there is none. */
      lang: string;
      text: string;
      /** False while the closing fence has not arrived; the block then runs to the end. */
      closed: boolean;
      source: string;
    }
  | { type: 'blockquote'; children: Inline[]; source: string }
  | { type: 'thematicBreak'; source: string };

/** Parses markdown into blocks. Linear in the length of `text`; never throws. */
export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = matchFence(line);
    if (fence) {
      i = parseCode(lines, i, fence, blocks);
      continue;
    }
    const heading = matchHeading(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading.level, children: parseInline(heading.text), source: line });
      i++;
      continue;
    }
    if (isThematicBreak(line)) {
      blocks.push({ type: 'thematicBreak', source: line });
      i++;
      continue;
    }
    if (matchQuote(line) !== undefined) {
      i = parseQuote(lines, i, blocks);
      continue;
    }
    if (matchListItem(line)) {
      i = parseList(lines, i, blocks);
      continue;
    }
    i = parseParagraph(lines, i, blocks);
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Blocks

interface Fence {
  indent: number;
  char: '`' | '~';
  length: number;
  lang: string;
}

interface ListMarker {
  indent: number;
  ordered: boolean;
  start: number;
  content: string;
}

/** A line can open a non-paragraph block only if its first visible character is one of these. */
const BLOCK_START = /^[ \t]*[-`~#*_>+0-9]/;

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Leading indentation in columns; a tab counts as four. */
function indentOf(line: string): number {
  let columns = 0;
  for (const char of line) {
    if (char === ' ') columns += 1;
    else if (char === '\t') columns += 4;
    else break;
  }
  return columns;
}

function matchFence(line: string): Fence | undefined {
  const match = /^([ \t]*)(`{3,}|~{3,})(.*)$/.exec(line);
  if (!match) return undefined;
  const run = match[2]!;
  const info = match[3]!.trim();
  // [CommonMark] "If the info string comes after a backtick fence, it may not contain any
  // backtick characters" - so "```x```" on its own line stays an inline code span.
  if (run[0] === '`' && info.includes('`')) return undefined;
  return {
    indent: indentOf(match[1]!),
    char: run[0] === '`' ? '`' : '~',
    length: run.length,
    lang: info.split(/\s/, 1)[0] ?? '',
  };
}

function isClosingFence(line: string, fence: Fence): boolean {
  const trimmed = line.trim();
  if (trimmed.length < fence.length) return false;
  for (const char of trimmed) if (char !== fence.char) return false;
  return true;
}

/** Drops up to `columns` columns of leading indentation, so code inside list items lines up. */
function dedent(line: string, columns: number): string {
  let removed = 0;
  let at = 0;
  while (at < line.length && removed < columns) {
    const char = line[at];
    if (char === ' ') removed += 1;
    else if (char === '\t') removed += 4;
    else break;
    at++;
  }
  return line.slice(at);
}

function parseCode(lines: string[], start: number, fence: Fence, blocks: Block[]): number {
  const body: string[] = [];
  let i = start + 1;
  let closed = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (isClosingFence(line, fence)) {
      closed = true;
      i++;
      break;
    }
    body.push(dedent(line, fence.indent));
  }
  if (!closed && body.length > 0) {
    // The last line is still being typed. Empty, it is only the newline after the previous line;
    // fence characters alone are most likely the closing fence arriving one token at a time.
    const last = body.at(-1)!.trim();
    if (last === '' || [...last].every((char) => char === fence.char)) body.pop();
  }
  blocks.push({
    type: 'code',
    lang: fence.lang,
    text: body.join('\n'),
    closed,
    source: lines.slice(start, i).join('\n'),
  });
  return i;
}

function matchHeading(line: string): { level: HeadingLevel; text: string } | undefined {
  // A bare "#" is text, for the same reason as a bare list marker.
  const match = /^ {0,3}(#{1,6})[ \t]/.exec(line);
  if (!match) return undefined;
  let text = line.slice(match[0].length).trim();
  // [CommonMark] "The optional closing sequence of #s must be preceded by spaces or tabs".
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) text = '';
  else if (end < text.length && (text[end - 1] === ' ' || text[end - 1] === '\t')) text = text.slice(0, end).trimEnd();
  return { level: match[1]!.length as HeadingLevel, text };
}

function isThematicBreak(line: string): boolean {
  if (indentOf(line) > 3) return false;
  const marks = line.replace(/[ \t]/g, '');
  if (marks.length < 3) return false;
  const mark = marks[0];
  if (mark !== '-' && mark !== '*' && mark !== '_') return false;
  for (const char of marks) if (char !== mark) return false;
  return true;
}

/** The line's content after `>` and one optional space, or undefined when it is not quoted. */
function matchQuote(line: string): string | undefined {
  const match = /^ {0,3}> ?/.exec(line);
  return match ? line.slice(match[0].length) : undefined;
}

function matchListItem(line: string): ListMarker | undefined {
  if (!BLOCK_START.test(line)) return undefined;
  // Unlike CommonMark, a bare marker is no item: while a token stream starts "**Bold**" or
  // "1.5 million", the lone "*" or "1." it shows for a moment stays text instead of a bullet.
  const match = /^([ \t]*)(?:([-*+])|(\d{1,9})([.)]))[ \t]+/.exec(line);
  if (!match) return undefined;
  return {
    indent: indentOf(match[1]!),
    ordered: match[2] === undefined,
    start: match[3] === undefined ? 1 : Number(match[3]),
    content: line.slice(match[0].length).trim(),
  };
}

/** Whether a line opens a block other than a paragraph, and so ends a paragraph or list item. */
function startsBlock(line: string): boolean {
  // Most lines are prose: one look at the first visible character settles them.
  if (!BLOCK_START.test(line)) return false;
  return (
    matchFence(line) !== undefined ||
    matchHeading(line) !== undefined ||
    isThematicBreak(line) ||
    matchQuote(line) !== undefined
  );
}

function parseParagraph(lines: string[], start: number, blocks: Block[]): number {
  let i = start + 1;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line) || startsBlock(line) || matchListItem(line)) break;
    i++;
  }
  const body = lines.slice(start, i);
  blocks.push({
    type: 'paragraph',
    children: parseInline(body.map((line) => line.trim()).join('\n')),
    source: body.join('\n'),
  });
  return i;
}

function parseQuote(lines: string[], start: number, blocks: Block[]): number {
  const body: string[] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const content = matchQuote(lines[i]!);
    if (content === undefined) break;
    body.push(content.trim());
  }
  blocks.push({
    type: 'blockquote',
    children: parseInline(body.join('\n').trim()),
    source: lines.slice(start, i).join('\n'),
  });
  return i;
}

interface ItemDraft {
  marker: ListMarker;
  lines: string[];
}

function parseList(lines: string[], start: number, blocks: Block[]): number {
  const first = matchListItem(lines[start]!)!;
  const drafts: ItemDraft[] = [];
  let i = start;
  let end = start;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      // A blank line between items keeps the list going ("1. a", "", "2. b" is one list), and so
      // does an indented paragraph that continues the item above.
      let next = i + 1;
      while (next < lines.length && isBlank(lines[next]!)) next++;
      const after = lines[next];
      if (after === undefined || startsBlock(after)) break;
      const marker = matchListItem(after);
      const continues = marker ? marker.indent > first.indent || marker.ordered === first.ordered : indentOf(after) >= 2;
      if (!continues) break;
      if (!marker) drafts.at(-1)!.lines.push('');
      i = next;
      continue;
    }
    if (startsBlock(line)) break;
    const marker = matchListItem(line);
    if (marker) {
      // A top-level switch between bullets and numbers starts a new list.
      if (i > start && marker.indent <= first.indent && marker.ordered !== first.ordered) break;
      drafts.push({ marker, lines: [marker.content] });
    } else {
      drafts.at(-1)!.lines.push(line.trim());
    }
    i++;
    end = i;
  }
  blocks.push({ type: 'list', ...buildList(drafts), source: lines.slice(start, end).join('\n') });
  return end;
}

/** Nests items by indentation: an item indented two or more columns past its parent nests. */
function buildList(drafts: ItemDraft[]): List {
  const first = drafts[0]!.marker;
  const root: List = { ordered: first.ordered, start: first.start, items: [] };
  const stack: { list: List; indent: number }[] = [{ list: root, indent: first.indent }];
  for (const { marker, lines } of drafts) {
    while (stack.length > 1 && marker.indent < stack.at(-1)!.indent) stack.pop();
    const top = stack.at(-1)!;
    const item: ListItem = { children: parseInline(lines.join('\n').trim()) };
    const parent = top.list.items.at(-1);
    if (parent && !parent.sublist && marker.indent >= top.indent + 2) {
      parent.sublist = { ordered: marker.ordered, start: marker.start, items: [item] };
      stack.push({ list: parent.sublist, indent: marker.indent });
    } else if (parent?.sublist && marker.indent >= top.indent + 2) {
      // A deeper item after a sibling list closed: it joins that item's list.
      parent.sublist.items.push(item);
      stack.push({ list: parent.sublist, indent: marker.indent });
    } else {
      top.list.items.push(item);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Inlines

/**
 * A delimiter run waiting for its closer. It sits in the node list as a placeholder, which turns
 * into literal text if it never closes.
 */
interface Delimiter {
  char: '*' | '_';
  size: 1 | 2;
  /** Index of its placeholder in the frame's nodes. */
  node: number;
}

type CountKey = `${Delimiter['char']}${Delimiter['size']}`;

function countKey(char: Delimiter['char'], size: Delimiter['size']): CountKey {
  return `${char}${size}`;
}

type Placeholder = { type: 'delimiter'; text: string };
type Draft = Inline | Placeholder;

/** Inline content being built: the whole block, or the label of a `[` waiting for its `]`. */
interface Frame {
  nodes: Draft[];
  delimiters: Delimiter[];
  /** Open delimiters by char and size, so a closer with no opener skips the search. */
  counts: Record<CountKey, number>;
  /** False once a link closes inside it: [CommonMark] "links may not contain other links". */
  active: boolean;
}

// Brackets nest at most this deep; deeper `[` are text. Bounding the depth keeps an unclosed
// label's contents from being copied into its parent more than a fixed number of times.
const MAX_BRACKET_DEPTH = 16;

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/;

function newFrame(): Frame {
  return { nodes: [], delimiters: [], counts: { '*1': 0, '*2': 0, '_1': 0, '_2': 0 }, active: true };
}

function isWhitespace(char: string | undefined): boolean {
  return char === undefined || WHITESPACE.test(char);
}

function isPunctuation(char: string | undefined): boolean {
  return char !== undefined && PUNCTUATION.test(char);
}

/** Parses the inline content of one block. Linear in the length of `text`. */
export function parseInline(text: string): Inline[] {
  const codeRuns = findBacktickRuns(text);
  let run = 0;
  const frames: Frame[] = [newFrame()];
  let frame = frames[0]!;
  let textStart = 0;
  let i = 0;

  const flush = (end: number) => {
    if (end > textStart) pushText(frame.nodes, text.slice(textStart, end));
  };

  while (i < text.length) {
    const char = text[i]!;
    if (char === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        flush(i);
        frame.nodes.push({ type: 'break' });
        i += 2;
        textStart = i;
      } else if (next !== undefined && ASCII_PUNCTUATION.test(next)) {
        flush(i);
        // The escaped character starts the next run of text, where nothing can treat it as markup.
        textStart = i + 1;
        i += 2;
      } else {
        i++;
      }
    } else if (char === '`') {
      flush(i);
      while (run < codeRuns.starts.length && codeRuns.starts[run]! < i) run++;
      if (codeRuns.starts[run] !== i) {
        // The tail of a run whose first backtick was escaped: literal.
        let end = i;
        while (text[end] === '`') end++;
        textStart = i;
        i = end;
        continue;
      }
      const length = codeRuns.lengths[run]!;
      const closer = codeRuns.next[run]!;
      if (closer === -1) {
        textStart = i;
        i += length;
      } else {
        const closerStart = codeRuns.starts[closer]!;
        frame.nodes.push({ type: 'inlineCode', text: codeText(text.slice(i + length, closerStart)) });
        i = closerStart + length;
        textStart = i;
        run = closer + 1;
      }
    } else if (char === '*' || char === '_') {
      flush(i);
      let end = i;
      while (text[end] === char) end++;
      handleDelimiterRun(frame, text, char, i, end);
      i = end;
      textStart = i;
    } else if (char === '[') {
      flush(i);
      if (frames.length > MAX_BRACKET_DEPTH) {
        textStart = i;
      } else {
        frame = newFrame();
        frames.push(frame);
        textStart = i + 1;
      }
      i++;
    } else if (char === ']' && frames.length > 1) {
      flush(i);
      const label = frames.pop()!;
      const parent = frames.at(-1)!;
      const destination = label.active && text[i + 1] === '(' ? scanDestination(text, i + 2) : undefined;
      if (destination) {
        const children = finish(label);
        if (isSafeHref(destination.href)) parent.nodes.push({ type: 'link', href: destination.href, children });
        else for (const child of children) pushNode(parent.nodes, child);
        for (const outer of frames) outer.active = false;
        i = destination.end;
      } else {
        mergeInto(parent, label, '[');
        pushText(parent.nodes, ']');
        i++;
      }
      frame = parent;
      textStart = i;
    } else if (char === '\n') {
      flush(i);
      frame.nodes.push({ type: 'break' });
      i++;
      textStart = i;
    } else {
      i++;
    }
  }
  flush(text.length);
  // Unclosed brackets are text: "[label](http://exa" while the link is still streaming in.
  while (frames.length > 1) {
    const label = frames.pop()!;
    mergeInto(frames.at(-1)!, label, '[');
  }
  return finish(frames[0]!);
}

function handleDelimiterRun(frame: Frame, text: string, char: '*' | '_', start: number, end: number): void {
  const length = end - start;
  if (length > 3) {
    pushText(frame.nodes, text.slice(start, end));
    return;
  }
  // [CommonMark] left- and right-flanking delimiter runs.
  const before = text[start - 1];
  const after = text[end];
  const leftFlanking =
    !isWhitespace(after) && (!isPunctuation(after) || isWhitespace(before) || isPunctuation(before));
  const rightFlanking =
    !isWhitespace(before) && (!isPunctuation(before) || isWhitespace(after) || isPunctuation(after));
  // [CommonMark] `_` may not open or close inside a word, so snake_case_names stay as they are.
  const canOpen = char === '*' ? leftFlanking : leftFlanking && (!rightFlanking || isPunctuation(before));
  const canClose = char === '*' ? rightFlanking : rightFlanking && (!leftFlanking || isPunctuation(after));

  let remaining = length;
  while (canClose && remaining > 0) {
    const closed = closeDelimiter(frame, char, remaining);
    if (closed === 0) break;
    remaining -= closed;
  }
  if (remaining === 0) return;
  if (!canOpen) {
    pushText(frame.nodes, char.repeat(remaining));
    return;
  }
  // "***" opens strong then emphasis, so "***x***" closes emphasis first and nests cleanly.
  if (remaining >= 2) openDelimiter(frame, char, 2);
  if (remaining !== 2) openDelimiter(frame, char, 1);
}

function openDelimiter(frame: Frame, char: '*' | '_', size: 1 | 2): void {
  frame.delimiters.push({ char, size, node: frame.nodes.length });
  frame.counts[countKey(char, size)]++;
  frame.nodes.push({ type: 'delimiter', text: char.repeat(size) });
}

/**
 * Closes the nearest opener of `char` no larger than `available`; openers above it stay literal.
 * Returns how many characters of the run it used, 0 when nothing could close.
 */
function closeDelimiter(frame: Frame, char: '*' | '_', available: number): number {
  const open = frame.counts[countKey(char, 1)] + (available >= 2 ? frame.counts[countKey(char, 2)] : 0);
  if (open === 0) return 0;
  // Every delimiter passed over is dropped, so the searches add up to the number of openers.
  for (;;) {
    const opener = frame.delimiters.pop()!;
    frame.counts[countKey(opener.char, opener.size)]--;
    if (opener.char !== char || opener.size > available) continue;
    const children = normalize(frame.nodes.splice(opener.node + 1));
    frame.nodes[opener.node] = opener.size === 2 ? { type: 'strong', children } : { type: 'emphasis', children };
    return opener.size;
  }
}

/** Appends an unclosed label to its parent as text: the `[`, then its nodes and live openers. */
function mergeInto(parent: Frame, label: Frame, bracket: string): void {
  pushText(parent.nodes, bracket);
  const offset = parent.nodes.length;
  // A loop, not push(...nodes): spreading a huge label would overflow the call stack.
  for (const node of label.nodes) parent.nodes.push(node);
  for (const delimiter of label.delimiters) {
    parent.delimiters.push({ ...delimiter, node: delimiter.node + offset });
    parent.counts[countKey(delimiter.char, delimiter.size)]++;
  }
}

function finish(frame: Frame): Inline[] {
  return normalize(frame.nodes);
}

/** Turns leftover placeholders into text and joins neighbouring text nodes. */
function normalize(nodes: Draft[]): Inline[] {
  const out: Inline[] = [];
  for (const node of nodes) pushNode(out, node.type === 'delimiter' ? { type: 'text', text: node.text } : node);
  return out;
}

function pushNode(nodes: Draft[], node: Inline): void {
  if (node.type === 'text') pushText(nodes, node.text);
  else nodes.push(node);
}

function pushText(nodes: Draft[], text: string): void {
  const last = nodes[nodes.length - 1];
  if (last?.type === 'text') last.text += text;
  else nodes.push({ type: 'text', text });
}

/** [CommonMark] Code span content: newlines become spaces, one padding space is stripped. */
function codeText(raw: string): string {
  const text = raw.replace(/\n/g, ' ');
  if (text.length >= 2 && text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') return text.slice(1, -1);
  return text;
}

interface BacktickRuns {
  starts: number[];
  lengths: number[];
  /** Index of the next run of the same length, or -1: the closer of a code span opened there. */
  next: number[];
}

/** Finds every backtick run and its would-be closer in one pass each way, keeping code spans linear. */
function findBacktickRuns(text: string): BacktickRuns {
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let i = text.indexOf('`'); i !== -1; i = text.indexOf('`', i)) {
    let end = i;
    while (text[end] === '`') end++;
    starts.push(i);
    lengths.push(end - i);
    i = end;
  }
  const next = new Array<number>(starts.length).fill(-1);
  const lastByLength = new Map<number, number>();
  for (let run = starts.length - 1; run >= 0; run--) {
    const length = lengths[run]!;
    next[run] = lastByLength.get(length) ?? -1;
    lastByLength.set(length, run);
  }
  return { starts, lengths, next };
}

/**
 * Reads a link destination starting after `](`: no spaces, balanced parentheses. Stopping at `[`
 * and `]` bounds every scan by the next bracket, so failed scans never overlap.
 */
function scanDestination(text: string, start: number): { href: string; end: number } | undefined {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i]!;
    if (char === '(') depth++;
    else if (char === ')') {
      if (depth === 0) return { href: text.slice(start, i), end: i + 1 };
      depth--;
    } else if (char === '[' || char === ']' || char === '<' || char <= ' ' || char === '\x7f') {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Whether a link may point at `href`: http and https URLs, and relative paths and anchors. Any
 * other scheme (`javascript:`, `data:`, `vbscript:`, `file:`...) leaves the label as plain text.
 */
export function isSafeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  if (!scheme) return true;
  const name = scheme[1]!.toLowerCase();
  return name === 'http' || name === 'https';
}

/** Whether `href` leaves the app (absolute or protocol-relative), so it opens in a new tab. */
export function isExternalHref(href: string): boolean {
  return /^(?:https?:)?[/\\]{2}/i.test(href);
}
