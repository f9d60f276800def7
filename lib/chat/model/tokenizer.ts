/**
 * How the simulated model cuts text into tokens: roughly like a subword tokenizer, so the stream
 * looks like a real model's (words with their leading space, punctuation alone, long words in
 * pieces), and joining the tokens always gives the text back exactly.
 */

// A word with its leading space, a run of up to three identical punctuation marks (so a code fence
// is one token) with its leading space, newlines, indentation that leaves one space for the next
// word, and finally any single character so every input is consumed.
const TOKEN = /\n+|[ \t]+(?=[ \t]\S)|[ \t]+(?=\n|$)| ?[\p{L}\p{N}]+| ?([^\s\p{L}\p{N}])\1{0,2}|[\s\S]/u;
const WORD = /^ ?[\p{L}\p{N}]+$/u;
const CAMEL_HUMP = /(?<=\p{Ll})(?=\p{Lu})/u;
const MAX_WHOLE_WORD = 6;
const MAX_WORD_PIECE = 5;

/** Splits a long word the way subword tokenizers roughly do: at camel humps, then in even pieces. */
function* splitWord(word: string): Generator<string, void, undefined> {
  const space = word.startsWith(' ') ? ' ' : '';
  const letters = space ? word.slice(1) : word;
  if (letters.length <= MAX_WHOLE_WORD) {
    yield word;
    return;
  }
  let prefix = space;
  for (const hump of letters.split(CAMEL_HUMP)) {
    const chars = Array.from(hump);
    const count = chars.length <= MAX_WHOLE_WORD ? 1 : Math.ceil(chars.length / MAX_WORD_PIECE);
    const size = Math.floor(chars.length / count);
    const longer = chars.length % count;
    let at = 0;
    for (let i = 0; i < count; i += 1) {
      const end = at + size + (i < longer ? 1 : 0);
      yield prefix + chars.slice(at, end).join('');
      prefix = '';
      at = end;
    }
  }
}

/** Cuts text into model-like tokens, one at a time as they are pulled; joining them gives the text back exactly. */
export function* tokenize(text: string): Generator<string, void, undefined> {
  // A fresh expression per call: a shared global one would carry `lastIndex` between generators.
  const pattern = new RegExp(TOKEN.source, 'gu');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (WORD.test(match[0])) yield* splitWord(match[0]);
    else yield match[0];
  }
}

/**
 * A rough token count: the number of tokens the simulated model would cut `text` into (words with
 * their leading space, punctuation, newlines, long words in pieces). Used for `promptTokens`.
 */
export function estimateTokens(text: string): number {
  const tokens = tokenize(text);
  let count = 0;
  while (!tokens.next().done) count += 1;
  return count;
}
