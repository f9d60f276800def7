/**
 * Splits markdown into top-level blocks so a renderer can parse each block on its own. While an
 * answer streams in, only its last block grows: every earlier block keeps the exact same source
 * and can skip parsing and rendering.
 *
 * A block ends at a blank line outside a code fence, when the next line starts a new top-level
 * construct (it is not indented, and it is not the next item of a list the block holds). The rule
 * errs towards joining: a block that holds two constructs still renders right, because it is
 * parsed as markdown as a whole. A text with a link reference or footnote definition (`[id]: ...`,
 * `[^1]: ...`) stays one block, since its references may sit in any block. What it does not keep
 * together: raw HTML blocks with blank lines in them (raw HTML is shown as text anyway).
 */

/** One top-level block of a markdown text. */
export interface MarkdownBlock {
  /** The block's markdown, from its first line to its last non-blank one. */
  source: string;
  /** The block ends inside a code fence whose closing fence has not arrived (yet). */
  openFence: boolean;
}

interface Fence {
  char: '`' | '~';
  length: number;
  indent: number;
}

// [CommonMark 4.5] An opening code fence: up to any indentation here (fences in list items are
// indented), three or more backticks or tildes, and an info string with no backtick after backticks.
const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
// [CommonMark 5.2, 5.3] A list item marker at the start of a line: -, + or *, or 1-9 digits and . or ).
// Digits alone count too: they may be the start of the next item's marker, still streaming in.
const LIST_ITEM = /^(?:[-+*]|\d{1,9}[.)]|\d{1,9}$)(?:[ \t]|$)/;
// [CommonMark 4.7] A link reference definition, or a footnote definition (GFM), starts a line.
const DEFINITION = /^ {0,3}\[[^\]\n]+\]:/m;

/** Splits `text` into blocks. Linear in the length of `text`; never throws. */
export function splitBlocks(text: string): MarkdownBlock[] {
  const normalized = text.replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  const split = !DEFINITION.test(normalized);
  const blocks: MarkdownBlock[] = [];
  let current: string[] = [];
  let blankLines = 0;
  let holdsListItem = false;
  let fence: Fence | null = null;

  for (const line of lines) {
    if (fence) {
      current.push(line);
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    if (line.trim() === '') {
      if (current.length > 0) blankLines++;
      continue;
    }
    if (split && blankLines > 0 && startsBlock(line, holdsListItem)) {
      blocks.push({ source: current.join('\n'), openFence: false });
      current = [];
      holdsListItem = false;
    } else {
      for (; blankLines > 0; blankLines--) current.push('');
    }
    blankLines = 0;
    current.push(line);
    fence = opensFence(line);
    if (LIST_ITEM.test(line)) holdsListItem = true;
  }

  if (current.length > 0) {
    // A closing fence still arriving (`` after ```) is not code: leave it out until it completes.
    const last = current.at(-1)!;
    if (fence && current.length > 1 && isPartialClose(last, fence)) current.pop();
    blocks.push({ source: current.join('\n'), openFence: fence !== null });
  }
  return blocks;
}

function startsBlock(line: string, holdsListItem: boolean): boolean {
  if (line.startsWith(' ') || line.startsWith('\t')) return false;
  return !(holdsListItem && LIST_ITEM.test(line));
}

function opensFence(line: string): Fence | null {
  const match = FENCE_OPEN.exec(line);
  if (!match) return null;
  const [, indent = '', run = '', info = ''] = match;
  const char = run[0] === '`' ? '`' : '~';
  // [CommonMark 4.5] "If the info string comes after a backtick fence, it may not contain any
  // backtick characters": ```x``` is an inline code span.
  if (char === '`' && info.includes('`')) return null;
  return { char, length: run.length, indent: indent.length };
}

// [CommonMark 4.5] The closing fence: the same character, at least as many, nothing but spaces after.
// Indentation up to three more than the opener's, so a fence in a list item can close.
function closesFence(line: string, fence: Fence): boolean {
  const trimmed = line.trimEnd();
  const body = trimmed.trimStart();
  const indent = trimmed.length - body.length;
  return indent <= fence.indent + 3 && body.length >= fence.length && isRunOf(body, fence.char);
}

function isPartialClose(line: string, fence: Fence): boolean {
  const body = line.trim();
  return body.length > 0 && body.length < fence.length && isRunOf(body, fence.char);
}

function isRunOf(text: string, char: string): boolean {
  for (const c of text) if (c !== char) return false;
  return true;
}
