import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown } from '../components/markdown';
import { isSafeHref, parseInline, parseMarkdown, type Block, type Inline } from '../lib/markdown/parse';

const text = (value: string): Inline => ({ type: 'text', text: value });
const BREAK: Inline = { type: 'break' };

/** The blocks without their `source`, which the structural assertions do not care about. */
function shapes(markdown: string): unknown[] {
  return parseMarkdown(markdown).map((block) => {
    const { source: _source, ...rest } = block;
    void _source;
    return rest;
  });
}

function html(markdown: string): string {
  return renderToStaticMarkup(<Markdown text={markdown} />);
}

/** Every node type that appears anywhere in the tree. */
function nodeTypes(blocks: Block[]): Set<string> {
  const types = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.type === 'string') types.add(record.type);
      Object.values(record).forEach(visit);
    }
  };
  visit(blocks);
  return types;
}

describe('parseMarkdown: blocks', () => {
  test('reads headings of levels one to six and strips a closing sequence', () => {
    assert.deepEqual(shapes('# One\n###### Six ##\n## #\n####### seven'), [
      { type: 'heading', level: 1, children: [text('One')] },
      { type: 'heading', level: 6, children: [text('Six')] },
      { type: 'heading', level: 2, children: [] },
      { type: 'paragraph', children: [text('####### seven')] },
    ]);
  });

  test('needs a space after the hashes, so a hashtag is a paragraph', () => {
    assert.deepEqual(shapes('#hashtag'), [{ type: 'paragraph', children: [text('#hashtag')] }]);
  });

  test('separates paragraphs by blank lines and keeps single newlines as breaks', () => {
    assert.deepEqual(shapes('one\ntwo  \n\n\nthree'), [
      { type: 'paragraph', children: [text('one'), BREAK, text('two')] },
      { type: 'paragraph', children: [text('three')] },
    ]);
  });

  test('treats CRLF like LF', () => {
    assert.deepEqual(shapes('a\r\nb\r\n\r\nc'), shapes('a\nb\n\nc'));
  });

  test('reads unordered lists with any bullet', () => {
    assert.deepEqual(shapes('- a\n* b\n+ c'), [
      { type: 'list', ordered: false, start: 1, items: [{ children: [text('a')] }, { children: [text('b')] }, { children: [text('c')] }] },
    ]);
  });

  test('reads ordered lists and keeps the first number', () => {
    assert.deepEqual(shapes('3. three\n4) four'), [
      { type: 'list', ordered: true, start: 3, items: [{ children: [text('three')] }, { children: [text('four')] }] },
    ]);
  });

  test('lets a list interrupt a paragraph', () => {
    assert.deepEqual(shapes('Steps:\n1. a'), [
      { type: 'paragraph', children: [text('Steps:')] },
      { type: 'list', ordered: true, start: 1, items: [{ children: [text('a')] }] },
    ]);
  });

  test('keeps a list going across blank lines between items', () => {
    const blocks = parseMarkdown('1. a\n\n2. b\n\nafter');
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0]?.type, 'list');
    assert.equal(blocks[0]?.type === 'list' && blocks[0].items.length, 2);
    assert.equal(blocks[0]?.source, '1. a\n\n2. b');
    assert.equal(blocks[1]?.type, 'paragraph');
  });

  test('joins continuation lines to the item above', () => {
    assert.deepEqual(shapes('- first\n  more\nlazy'), [
      { type: 'list', ordered: false, start: 1, items: [{ children: [text('first'), BREAK, text('more'), BREAK, text('lazy')] }] },
    ]);
  });

  test('nests items indented under their parent', () => {
    assert.deepEqual(shapes('- a\n  - a1\n  - a2\n- b'), [
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [
          {
            children: [text('a')],
            sublist: { ordered: false, start: 1, items: [{ children: [text('a1')] }, { children: [text('a2')] }] },
          },
          { children: [text('b')] },
        ],
      },
    ]);
  });

  test('starts a new list when bullets switch to numbers', () => {
    assert.deepEqual(
      shapes('- a\n1. b').map((block) => (block as { type: string }).type),
      ['list', 'list'],
    );
  });

  test('reads a fenced code block with its language, verbatim', () => {
    assert.deepEqual(shapes('```ts title="x"\nconst a = **1**;\n\n<b>\n```\nafter'), [
      { type: 'code', lang: 'ts', text: 'const a = **1**;\n\n<b>', closed: true },
      { type: 'paragraph', children: [text('after')] },
    ]);
  });

  test('reads tilde fences and needs a closing fence at least as long', () => {
    assert.deepEqual(shapes('~~~~\n~~~\n~~~~~'), [{ type: 'code', lang: '', text: '~~~', closed: true }]);
  });

  test('lines up an indented fence inside a list item and resumes the numbering after it', () => {
    assert.deepEqual(shapes('1. Run:\n   ```sh\n   npm i\n     -g\n   ```\n2. Done'), [
      { type: 'list', ordered: true, start: 1, items: [{ children: [text('Run:')] }] },
      { type: 'code', lang: 'sh', text: 'npm i\n  -g', closed: true },
      { type: 'list', ordered: true, start: 2, items: [{ children: [text('Done')] }] },
    ]);
  });

  test('keeps ```x``` on one line as an inline code span, not a fence', () => {
    assert.deepEqual(shapes('```x``` y'), [{ type: 'paragraph', children: [{ type: 'inlineCode', text: 'x' }, text(' y')] }]);
  });

  test('reads consecutive quoted lines as one blockquote', () => {
    assert.deepEqual(shapes('> a *b*\n>c\n\nd'), [
      { type: 'blockquote', children: [text('a '), { type: 'emphasis', children: [text('b')] }, BREAK, text('c')] },
      { type: 'paragraph', children: [text('d')] },
    ]);
  });

  test('reads ---, *** and _ _ _ as thematic breaks, not list items', () => {
    assert.deepEqual(shapes('---\n* * *\n_ _ _\n--'), [
      { type: 'thematicBreak' },
      { type: 'thematicBreak' },
      { type: 'thematicBreak' },
      { type: 'paragraph', children: [text('--')] },
    ]);
  });

  test('gives every block its exact source text', () => {
    assert.deepEqual(
      parseMarkdown('# T\n\npara\nline\n\n- a\n- b\n\n```\nx\n```').map((block) => block.source),
      ['# T', 'para\nline', '- a\n- b', '```\nx\n```'],
    );
  });

  test('returns no blocks for empty or blank input', () => {
    assert.deepEqual(parseMarkdown(''), []);
    assert.deepEqual(parseMarkdown(' \n\t\n'), []);
  });
});

describe('parseInline', () => {
  test('reads strong, emphasis with * and _, and inline code', () => {
    assert.deepEqual(parseInline('**b** *i* _u_ `c`'), [
      { type: 'strong', children: [text('b')] },
      text(' '),
      { type: 'emphasis', children: [text('i')] },
      text(' '),
      { type: 'emphasis', children: [text('u')] },
      text(' '),
      { type: 'inlineCode', text: 'c' },
    ]);
  });

  test('nests emphasis inside strong and reads ***both***', () => {
    assert.deepEqual(parseInline('**a *b* c**'), [
      { type: 'strong', children: [text('a '), { type: 'emphasis', children: [text('b')] }, text(' c')] },
    ]);
    assert.deepEqual(parseInline('***x***'), [{ type: 'strong', children: [{ type: 'emphasis', children: [text('x')] }] }]);
  });

  test('leaves snake_case_names and spaced asterisks alone', () => {
    assert.deepEqual(parseInline('snake_case_name and 2 * 3 * 4'), [text('snake_case_name and 2 * 3 * 4')]);
  });

  test('closes bold before punctuation', () => {
    assert.deepEqual(parseInline('(**x**),'), [text('('), { type: 'strong', children: [text('x')] }, text('),')]);
  });

  test('keeps markup inside a code span literal and strips one padding space', () => {
    assert.deepEqual(parseInline('`` a `*b*` ``'), [{ type: 'inlineCode', text: 'a `*b*`' }]);
  });

  test('honours backslash escapes', () => {
    assert.deepEqual(parseInline('\\*not\\* \\[x\\](y) a\\b'), [text('*not* [x](y) a\\b')]);
  });

  test('reads links with http, https, relative and anchor targets', () => {
    for (const href of ['https://example.com/a?b=1#c', 'http://x.test', '/docs', './a', '../b', '#top', '?q=1', 'page.html']) {
      assert.deepEqual(parseInline(`[go](${href})`), [{ type: 'link', href, children: [text('go')] }], href);
    }
  });

  test('keeps balanced parentheses in a link target', () => {
    assert.deepEqual(parseInline('[w](https://en.wikipedia.org/wiki/Foo_(bar)).'), [
      { type: 'link', href: 'https://en.wikipedia.org/wiki/Foo_(bar)', children: [text('w')] },
      text('.'),
    ]);
  });

  test('reads markup inside a link label', () => {
    assert.deepEqual(parseInline('[**b** `c`](/x)'), [
      { type: 'link', href: '/x', children: [{ type: 'strong', children: [text('b')] }, text(' '), { type: 'inlineCode', text: 'c' }] },
    ]);
  });

  test('turns javascript:, data: and other schemes into the plain label', () => {
    for (const href of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', 'vbscript:x', 'mailto:a@b.c']) {
      assert.deepEqual(parseInline(`[click **me**](${href})`), [text('click '), { type: 'strong', children: [text('me')] }], href);
    }
  });

  test('does not let a link nest in a link', () => {
    assert.deepEqual(parseInline('[a [b](/b)](/a)'), [
      text('[a '),
      { type: 'link', href: '/b', children: [text('b')] },
      text('](/a)'),
    ]);
  });

  test('keeps brackets without a target as text', () => {
    assert.deepEqual(parseInline('[x] and [y] (z) and a]'), [text('[x] and [y] (z) and a]')]);
  });
});

describe('parseMarkdown: partial input while streaming', () => {
  test('renders an unclosed fence as a code block so far', () => {
    assert.deepEqual(shapes('Intro\n```ts\nconst a = 1;'), [
      { type: 'paragraph', children: [text('Intro')] },
      { type: 'code', lang: 'ts', text: 'const a = 1;', closed: false },
    ]);
  });

  test('hides a closing fence that is still arriving, and the newline before it', () => {
    assert.deepEqual(shapes('```ts\nx\n'), [{ type: 'code', lang: 'ts', text: 'x', closed: false }]);
    assert.deepEqual(shapes('```ts\nx\n``'), [{ type: 'code', lang: 'ts', text: 'x', closed: false }]);
    assert.deepEqual(shapes('```ts\nx\n```'), [{ type: 'code', lang: 'ts', text: 'x', closed: true }]);
  });

  test('shows an unclosed ** as literal text until both closing stars arrive', () => {
    assert.deepEqual(shapes('This is **bol'), [{ type: 'paragraph', children: [text('This is **bol')] }]);
    // Half of the closing `**` does not turn the text italic for one token.
    assert.deepEqual(shapes('This is **bold*'), [{ type: 'paragraph', children: [text('This is **bold*')] }]);
    assert.deepEqual(shapes('This is **bold**'), [
      { type: 'paragraph', children: [text('This is '), { type: 'strong', children: [text('bold')] }] },
    ]);
  });

  test('shows a bare list marker or # on the line being typed as text, not an empty block', () => {
    assert.deepEqual(shapes('*'), [{ type: 'paragraph', children: [text('*')] }]);
    assert.deepEqual(shapes('Intro\n1.'), [{ type: 'paragraph', children: [text('Intro'), BREAK, text('1.')] }]);
    assert.deepEqual(shapes('##'), [{ type: 'paragraph', children: [text('##')] }]);
    assert.deepEqual(shapes('- '), [{ type: 'list', ordered: false, start: 1, items: [{ children: [] }] }]);
  });

  test('shows an unclosed code span as literal text', () => {
    assert.deepEqual(parseInline('run `npm i'), [text('run `npm i')]);
  });

  test('shows half a link as literal text, at every stage', () => {
    const full = '[docs](https://example.com/docs) end';
    for (let end = 1; end < full.indexOf(')') + 1; end++) {
      const partial = full.slice(0, end);
      assert.deepEqual(parseInline(partial), [text(partial)], partial);
    }
    assert.equal(parseInline(full)[0]?.type, 'link');
  });

  test('keeps markup inside an unclosed label working', () => {
    assert.deepEqual(parseInline('[a **b**'), [text('[a '), { type: 'strong', children: [text('b')] }]);
  });

  test('parses every prefix of a rich document without throwing', () => {
    const doc = '# T\n\n> q **b** [l](/x)\n\n1. a `c`\n   - n\n\n```js\nx\n```\n---\n_e_ \\* ~';
    for (let end = 0; end <= doc.length; end++) assert.ok(Array.isArray(parseMarkdown(doc.slice(0, end))));
  });
});

describe('parseMarkdown: safety and size', () => {
  test('keeps HTML as text and has no HTML node type at all', () => {
    const blocks = parseMarkdown('<img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n- <b>x</b>');
    assert.deepEqual(blocks[0], {
      type: 'paragraph',
      children: [text('<img src=x onerror=alert(1)>')],
      source: '<img src=x onerror=alert(1)>',
    });
    assert.deepEqual([...nodeTypes(blocks)].sort(), ['list', 'paragraph', 'text']);
  });

  test('accepts only http, https and relative hrefs', () => {
    assert.equal(isSafeHref('https://a.b'), true);
    assert.equal(isSafeHref('/a:b'), true);
    assert.equal(isSafeHref('javascript:x'), false);
    assert.equal(isSafeHref('jAvAsCrIpT:x'), false);
    assert.equal(isSafeHref('data:x'), false);
  });

  test('never makes a link from a target with spaces or control characters', () => {
    assert.deepEqual(parseInline('[a](java\tscript:x)'), [text('[a](java\tscript:x)')]);
    assert.deepEqual(parseInline('[a](java\nscript:x)'), [text('[a](java'), BREAK, text('script:x)')]);
  });

  test('parses a 200 KB document of mixed markdown', () => {
    const section =
      '## Section\n\nSome **bold** and *em* with `code` and a [link](https://example.com).\n' +
      '- item one\n- item _two_\n  - nested\n\n```ts\nconst x = 1;\n```\n> quote\n\n';
    const doc = section.repeat(Math.ceil(200_000 / section.length));
    const blocks = parseMarkdown(doc);
    // Heading, paragraph, list, code and quote in every section.
    assert.equal(blocks.length, (doc.length / section.length) * 5);
    assert.equal(blocks.at(-1)?.type, 'blockquote');
  });

  test('parses 200 KB of adversarial unclosed markup in one pass', () => {
    const size = 200_000;
    const inputs = [
      '['.repeat(size),
      '[]('.repeat(size / 3),
      '[a](b'.repeat(size / 5),
      '*a '.repeat(size / 3),
      'a* '.repeat(size / 3),
      '_a *b '.repeat(size / 6) + 'c* '.repeat(size / 3),
      '`'.repeat(size),
      '` `` ```'.repeat(size / 9),
      '**'.repeat(size / 2) + 'x',
      '\\'.repeat(size),
      '#'.repeat(size),
      '- '.repeat(size / 2),
      '- a\n'.repeat(size / 4),
      ' '.repeat(size) + 'x',
      '[*'.repeat(size / 2) + ']'.repeat(size / 2),
    ];
    for (const input of inputs) {
      const started = performance.now();
      parseMarkdown(input);
      if (input.includes(' ')) parseMarkdown(input.replaceAll(' ', '\n'));
      const elapsed = performance.now() - started;
      // Not a timing assertion, only a signpost when a case turns quadratic.
      if (elapsed > 1000) console.log(`slow (${Math.round(elapsed)} ms): ${JSON.stringify(input.slice(0, 12))}`);
    }
  });
});

describe('<Markdown>', () => {
  test('wraps its output in div.markdown', () => {
    assert.equal(html('hi'), '<div class="markdown"><p>hi</p></div>');
  });

  test('escapes HTML in the text', () => {
    const out = html('<img src=x onerror=alert(1)> **<b>**');
    assert.equal(out, '<div class="markdown"><p>&lt;img src=x onerror=alert(1)&gt; <strong>&lt;b&gt;</strong></p></div>');
    assert.doesNotMatch(out, /<img/);
  });

  test('renders a javascript: link as text with no href', () => {
    const out = html('[click](javascript:alert(1))');
    assert.equal(out, '<div class="markdown"><p>click</p></div>');
    assert.doesNotMatch(out, /href/);
  });

  test('opens absolute links in a new tab without an opener, and relative links in place', () => {
    assert.equal(
      html('[a](https://x.test/?a=1&b="2") [b](/b)'),
      '<div class="markdown"><p><a href="https://x.test/?a=1&amp;b=&quot;2&quot;" target="_blank" rel="noopener noreferrer">a</a> ' +
        '<a href="/b">b</a></p></div>',
    );
  });

  test('renders a code block as pre > code.language-*', () => {
    assert.equal(
      html('```ts\nconst a = <T,>(x: T) => x;\n```'),
      '<div class="markdown"><pre><code class="language-ts">const a = &lt;T,&gt;(x: T) =&gt; x;</code></pre></div>',
    );
  });

  test('marks a code block still streaming with data-open', () => {
    assert.equal(html('```\nx'), '<div class="markdown"><pre data-open=""><code>x</code></pre></div>');
  });

  test('renders every block type', () => {
    assert.equal(
      html('## H\n\np *e* `c`\nnext\n\n3. a\n   - b\n\n> q\n\n---'),
      '<div class="markdown"><h2>H</h2><p>p <em>e</em> <code>c</code><br/>next</p>' +
        '<ol start="3"><li>a<ul><li>b</li></ul></li></ol><blockquote>q</blockquote><hr/></div>',
    );
  });
});
