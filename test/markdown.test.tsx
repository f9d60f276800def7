import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown } from '../components/markdown';
import { splitBlocks } from '../lib/markdown/blocks';
import { isExternalUrl, safeUrl } from '../lib/markdown/urls';

/** The component's HTML without its `div.markdown` wrapper and the newlines between elements. */
function html(markdown: string, streaming = false): string {
  const out = renderToStaticMarkup(<Markdown text={markdown} streaming={streaming} />).replaceAll('>\n<', '><');
  const inner = /^<div class="markdown">([\s\S]*)<\/div>$/.exec(out);
  assert.ok(inner, `not wrapped in div.markdown: ${out}`);
  return inner[1]!;
}

/** Every opening tag name in `markup`, such as `a`, `img`, `script`. */
function tags(markup: string): string[] {
  return [...markup.matchAll(/<([a-z][a-z0-9]*)/gi)].map((match) => match[1]!.toLowerCase());
}

describe('<Markdown>: blocks', () => {
  test('wraps its output in div.markdown', () => {
    assert.equal(renderToStaticMarkup(<Markdown text="hi" />), '<div class="markdown"><p>hi</p></div>');
  });

  test('renders headings of levels one to six and needs a space after the hashes', () => {
    assert.equal(html('# One\n###### Six ##'), '<h1>One</h1><h6>Six</h6>');
    assert.equal(html('####### seven'), '<p>####### seven</p>');
    assert.equal(html('#hashtag'), '<p>#hashtag</p>');
  });

  test('separates paragraphs by blank lines and renders a single newline as a line break', () => {
    assert.equal(html('one\ntwo\n\n\nthree'), '<p>one<br/>\ntwo</p><p>three</p>');
  });

  test('treats CRLF like LF', () => {
    assert.equal(html('a\r\nb\r\n\r\nc'), html('a\nb\n\nc'));
  });

  test('renders unordered lists and ordered lists from their first number', () => {
    assert.equal(html('- a\n- b'), '<ul><li>a</li><li>b</li></ul>');
    assert.equal(html('3. three\n4. four'), '<ol start="3"><li>three</li><li>four</li></ol>');
  });

  test('lets a list interrupt a paragraph', () => {
    assert.equal(html('Steps:\n1. a'), '<p>Steps:</p><ol><li>a</li></ol>');
  });

  test('keeps a list going across blank lines between items', () => {
    assert.equal(html('1. a\n\n2. b\n\nafter'), '<ol><li><p>a</p></li><li><p>b</p></li></ol><p>after</p>');
  });

  test('keeps an indented paragraph after a blank line inside its list item', () => {
    assert.equal(html('- a\n\n  more\n- b'), '<ul><li><p>a</p><p>more</p></li><li><p>b</p></li></ul>');
  });

  test('nests items indented under their parent', () => {
    assert.equal(html('- a\n  - a1\n  - a2\n- b'), '<ul><li>a\n<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul>');
  });

  test('renders a fenced code block with its language, verbatim, blank lines included', () => {
    assert.equal(
      html('```ts title="x"\nconst a = **1**;\n\n\n<b>\n```\nafter'),
      '<pre><code class="language-ts">const a = **1**;\n\n\n&lt;b&gt;\n</code></pre><p>after</p>',
    );
  });

  test('renders tilde fences and needs a closing fence at least as long', () => {
    assert.equal(html('~~~~\n~~~\n\n~~~~~'), '<pre><code>~~~\n\n</code></pre>');
  });

  test('renders a fence inside a list item within that item', () => {
    assert.equal(
      html('1. Run:\n   ```sh\n   npm i\n\n     -g\n   ```\n2. Done'),
      '<ol><li>Run:\n<pre><code class="language-sh">npm i\n\n  -g\n</code></pre></li><li>Done</li></ol>',
    );
  });

  test('keeps ```x``` on one line as an inline code span, not a fence', () => {
    assert.equal(html('```x``` y\n\nz'), '<p><code>x</code> y</p><p>z</p>');
  });

  test('renders blockquotes and thematic breaks', () => {
    assert.equal(html('> a *b*\n>c\n\nd'), '<blockquote><p>a <em>b</em><br/>\nc</p></blockquote><p>d</p>');
    assert.equal(html('---\n\n* * *\n\n_ _ _'), '<hr/><hr/><hr/>');
  });

  test('renders GitHub tables with their alignment', () => {
    assert.equal(
      html('| a | b |\n|---|:-:|\n| 1 | `2` |'),
      '<table><thead><tr><th>a</th><th style="text-align:center">b</th></tr></thead>' +
        '<tbody><tr><td>1</td><td style="text-align:center"><code>2</code></td></tr></tbody></table>',
    );
  });

  test('renders strikethrough and task lists', () => {
    assert.equal(html('~~old~~'), '<p><del>old</del></p>');
    assert.equal(
      html('- [ ] todo\n- [x] done'),
      '<ul class="contains-task-list"><li class="task-list-item"><input type="checkbox" disabled=""/> todo</li>' +
        '<li class="task-list-item"><input type="checkbox" disabled="" checked=""/> done</li></ul>',
    );
  });

  test('renders every block type of one document', () => {
    assert.equal(
      html('## H\n\np *e* `c`\nnext\n\n3. a\n   - b\n\n> q\n\n---'),
      '<h2>H</h2><p>p <em>e</em> <code>c</code><br/>\nnext</p>' +
        '<ol start="3"><li>a\n<ul><li>b</li></ul></li></ol><blockquote><p>q</p></blockquote><hr/>',
    );
  });

  test('renders nothing for empty or blank input', () => {
    assert.equal(html(''), '');
    assert.equal(html(' \n\t\n'), '');
  });
});

describe('<Markdown>: inline', () => {
  test('renders strong, emphasis with * and _, and inline code', () => {
    assert.equal(html('**b** *i* _u_ `c`'), '<p><strong>b</strong> <em>i</em> <em>u</em> <code>c</code></p>');
  });

  test('nests emphasis inside strong and reads ***both***', () => {
    assert.equal(html('**a *b* c**'), '<p><strong>a <em>b</em> c</strong></p>');
    assert.equal(html('***x***'), '<p><em><strong>x</strong></em></p>');
  });

  test('leaves snake_case_names and spaced asterisks alone', () => {
    assert.equal(html('snake_case_name and 2 * 3 * 4'), '<p>snake_case_name and 2 * 3 * 4</p>');
  });

  test('closes bold before punctuation', () => {
    assert.equal(html('(**x**),'), '<p>(<strong>x</strong>),</p>');
  });

  test('keeps markup inside a code span literal and strips one padding space', () => {
    assert.equal(html('`` a `*b*` ``'), '<p><code>a `*b*`</code></p>');
  });

  test('honours backslash escapes', () => {
    assert.equal(html('\\*not\\* \\[x\\](y) a\\b'), '<p>*not* [x](y) a\\b</p>');
  });

  test('renders links with http, https, relative and anchor targets', () => {
    for (const href of ['https://example.com/a?b=1#c', 'http://x.test', '/docs', './a', '../b', '#top', '?q=1', 'page.html', '/a:b']) {
      assert.match(html(`[go](${href})`), new RegExp(`^<p><a href="${href.replace(/[?.]/g, '\\$&')}"[^>]*>go</a></p>$`), href);
    }
  });

  test('keeps balanced parentheses in a link target', () => {
    assert.match(html('[w](https://en.wikipedia.org/wiki/Foo_(bar)).'), /^<p><a href="https:\/\/en\.wikipedia\.org\/wiki\/Foo_\(bar\)"[^>]*>w<\/a>\.<\/p>$/);
  });

  test('renders markup inside a link label', () => {
    assert.equal(html('[**b** `c`](/x)'), '<p><a href="/x"><strong>b</strong> <code>c</code></a></p>');
  });

  test('does not let a link nest in a link', () => {
    assert.equal(html('[a [b](/b)](/a)'), '<p>[a <a href="/b">b</a>](/a)</p>');
  });

  test('keeps brackets without a target as text', () => {
    assert.equal(html('[x] and [y] (z) and a]'), '<p>[x] and [y] (z) and a]</p>');
  });

  test('makes links of bare URLs', () => {
    assert.equal(
      html('see https://example.com.'),
      '<p>see <a href="https://example.com" target="_blank" rel="noopener noreferrer">https://example.com</a>.</p>',
    );
  });
});

describe('<Markdown>: partial input while streaming', () => {
  const partial = (markdown: string) => html(markdown, true);

  test('renders an unclosed fence as a code block so far, marked data-open', () => {
    assert.equal(partial('Intro\n```ts\nconst a = 1;'), '<p>Intro</p><pre data-open=""><code class="language-ts">const a = 1;\n</code></pre>');
    assert.equal(partial('```\nx\n\n\ny'), '<pre data-open=""><code>x\n\n\ny\n</code></pre>');
  });

  test('hides a closing fence that is still arriving, and drops data-open once it arrives', () => {
    assert.equal(partial('```ts\nx\n``'), '<pre data-open=""><code class="language-ts">x\n</code></pre>');
    assert.equal(partial('```ts\nx\n```'), '<pre><code class="language-ts">x\n</code></pre>');
  });

  test('renders an unclosed ** as bold so far, also when half of the closing ** has arrived', () => {
    assert.equal(partial('This is **bol'), '<p>This is <strong>bol</strong></p>');
    assert.equal(partial('This is **bold*'), '<p>This is <strong>bold</strong></p>');
    assert.equal(partial('This is **bold**'), '<p>This is <strong>bold</strong></p>');
    assert.equal(partial('an *em'), '<p>an <em>em</em></p>');
  });

  test('renders an unclosed code span as code so far', () => {
    assert.equal(partial('run `npm i'), '<p>run <code>npm i</code></p>');
  });

  test('renders half a link as its label, never as brackets or a link to a partial URL', () => {
    const full = '[docs](https://example.com/docs) end';
    for (let end = 1; end <= full.length; end++) {
      const prefix = full.slice(0, end);
      const out = partial(prefix);
      assert.doesNotMatch(out, /\]\(|\(http/, prefix);
      if (end < full.indexOf(')') + 1) {
        assert.doesNotMatch(out, /href/, prefix);
        if (prefix !== '[docs]') assert.doesNotMatch(out, /\[/, prefix);
      } else assert.match(out, /^<p><a href="https:\/\/example.com\/docs" target="_blank" rel="noopener noreferrer">docs<\/a>/, prefix);
    }
    assert.equal(partial('Read [the docs](http://exa'), '<p>Read the docs</p>');
  });

  test('renders half an image as its alt text, never fetching anything', () => {
    assert.equal(partial('![chart](https://ex'), '<p>chart</p>');
  });

  test('renders every prefix of a rich document without throwing or leaking markup', () => {
    const doc =
      '# T\n\n> q **b** [l](/x) <i>\n\n1. a `c`\n   - n\n\n2. b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n' +
      '```js\nx\n\ny\n```\n---\n_e_ \\* ~~s~~ ![i](javascript:alert(1)) [j](javascript:alert(1))';
    for (let end = 0; end <= doc.length; end++) {
      const out = partial(doc.slice(0, end));
      assert.ok(!tags(out).some((tag) => tag === 'i' || tag === 'img' || tag === 'script'), out);
      assert.doesNotMatch(out, /(?:href|src)="[^"]*javascript:|streamdown:/, out);
    }
  });

  test('a finished text is rendered as written: unclosed markup stays literal', () => {
    assert.equal(html('a [b'), '<p>a [b</p>');
    assert.equal(html('This is **bol'), '<p>This is **bol</p>');
    assert.equal(html('run `npm i'), '<p>run `npm i</p>');
    assert.equal(html('```ts\nx'), '<pre><code class="language-ts">x\n</code></pre>');
  });
});

describe('<Markdown>: safety', () => {
  test('shows HTML as text, inline and as a block', () => {
    assert.equal(html('<img src=x onerror=alert(1)> **<b>**'), '<p>&lt;img src=x onerror=alert(1)&gt; <strong>&lt;b&gt;</strong></p>');
    const out = html('<script>alert(1)</script>\n\n<div onclick="x()">\n\n- <iframe src="https://x.test"></iframe>');
    assert.deepEqual([...new Set(tags(out))].sort(), ['li', 'ul']);
    assert.match(out, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('renders a link to javascript:, data:, vbscript: or another scheme as its label, with no href', () => {
    const hrefs = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      '<javascript:alert(1)>',
      '< javascript:alert(1)>',
      '<java\tscript:alert(1)>',
      'javascript&#58;alert(1)',
      '&#x6A;avascript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      'mailto:a@b.c',
    ];
    for (const href of hrefs) assert.equal(html(`[click **me**](${href})`), '<p>click <strong>me</strong></p>', href);
    assert.doesNotMatch(html('<javascript:alert(1)>'), /href/);
  });

  test('never renders an image: a safe one becomes a link to it, an unsafe one its alt text', () => {
    assert.equal(
      html('![a chart](https://x.test/c.png)'),
      '<p><a href="https://x.test/c.png" target="_blank" rel="noopener noreferrer">a chart</a></p>',
    );
    assert.equal(html('![x](javascript:alert(1)) ![y](data:image/png;base64,AA)'), '<p>x y</p>');
  });

  test('opens absolute links in a new tab without an opener, and relative links in place', () => {
    assert.equal(
      html('[a](https://x.test/?a=1&b=2) [b](/b) [c](//x.test)'),
      '<p><a href="https://x.test/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">a</a> <a href="/b">b</a> ' +
        '<a href="//x.test" target="_blank" rel="noopener noreferrer">c</a></p>',
    );
  });

  test('escapes quotes in an href', () => {
    assert.match(html('[a](<https://x.test/"onmouseover="x>)'), /^<p><a href="https:\/\/x\.test\/%22onmouseover=%22x"/);
  });

  test('safeUrl passes http, https and relative URLs only, whatever the case or padding', () => {
    for (const url of ['https://a.b', 'HTTP://a.b', '/a:b', 'a/b:c', '?x=a:b', '#a:b', 'page']) assert.equal(safeUrl(url), url, url);
    for (const url of ['javascript:x', 'jAvAsCrIpT:x', ' javascript:x', 'java\nscript:x', 'data:x', 'https :x', ':x']) {
      assert.equal(safeUrl(url), null, url);
    }
  });

  test('isExternalUrl tells absolute and protocol-relative URLs from relative ones', () => {
    for (const url of ['https://a.b', 'http:a.b', '//a.b', '\\\\a.b']) assert.equal(isExternalUrl(url), true, url);
    for (const url of ['/a', './a', 'a', '#a', '?a']) assert.equal(isExternalUrl(url), false, url);
  });
});

describe('splitBlocks', () => {
  test('splits at blank lines and gives every block its exact source', () => {
    assert.deepEqual(
      splitBlocks('\n# T\n\npara\nline\n\n\n- a\n- b\n\n```\nx\n```\n').map((block) => block.source),
      ['# T', 'para\nline', '- a\n- b', '```\nx\n```'],
    );
  });

  test('keeps blank lines inside a fence, backtick or tilde, in one block', () => {
    assert.deepEqual(
      splitBlocks('````\n```\n\na\n````\n\n~~~\n\n~~~\nb').map((block) => block.source),
      ['````\n```\n\na\n````', '~~~\n\n~~~\nb'],
    );
  });

  test('keeps loose list items and indented continuations in the block of their list', () => {
    assert.deepEqual(
      splitBlocks('1. a\n\n2. b\n\n    code\n\n   more\n\nafter\n\n- c').map((block) => block.source),
      ['1. a\n\n2. b\n\n    code\n\n   more', 'after', '- c'],
    );
  });

  test('does not take ```x``` for a fence', () => {
    assert.deepEqual(
      splitBlocks('```x``` y\n\nz').map((block) => block.source),
      ['```x``` y', 'z'],
    );
  });

  test('marks a block that ends inside an unclosed fence, and leaves out a closing fence still arriving', () => {
    assert.deepEqual(splitBlocks('a\n\n```ts\nx\n\n``'), [
      { source: 'a', openFence: false },
      { source: '```ts\nx\n', openFence: true },
    ]);
    assert.deepEqual(splitBlocks('```ts\nx\n```'), [{ source: '```ts\nx\n```', openFence: false }]);
  });

  test('keeps a text with a link reference or footnote definition in one block', () => {
    assert.equal(splitBlocks('See [the spec][s].\n\nMore.\n\n[s]: https://x.test').length, 1);
    assert.equal(splitBlocks('A claim.[^1]\n\nMore.\n\n[^1]: The source.').length, 1);
    assert.equal(html('See [the spec][s].\n\nMore.\n\n[s]: https://x.test'), '<p>See <a href="https://x.test" target="_blank" rel="noopener noreferrer">the spec</a>.</p><p>More.</p>');
    assert.match(html('A claim.[^1]\n\nMore.\n\n[^1]: The source.'), /<section data-footnotes="true" class="footnotes">.*The source\./s);
  });

  test('never changes a finished block while the text streams in', () => {
    const doc =
      '# Title\n\nIntro with **bold**.\n\n1. one\n\n2. two\n   ```sh\n   npm i\n\n   ```\n\n' +
      '```ts\nconst a = 1;\n\n\nconst b = 2;\n```\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nEnd.';
    const final = splitBlocks(doc).map((block) => block.source);
    assert.equal(final.length, 7);
    for (let end = 0; end <= doc.length; end++) {
      const blocks = splitBlocks(doc.slice(0, end));
      blocks.slice(0, -1).forEach((block, index) => assert.equal(block.source, final[index], `at ${end}`));
      const last = blocks.at(-1);
      if (last) assert.ok(final[blocks.length - 1]!.startsWith(last.source), `at ${end}: ${JSON.stringify(last.source)}`);
    }
  });
});

describe('<Markdown>: size', () => {
  test('renders a 20 KB document of mixed markdown in full', () => {
    const section =
      '## Section\n\nSome **bold** and *em* with `code` and a [link](https://example.com).\n\n' +
      '- item one\n- item _two_\n  - nested\n\n```ts\nconst x = 1;\n\n```\n\n> quote\n\n';
    const doc = section.repeat(Math.ceil(20_000 / section.length));
    const out = html(doc);
    const sections = doc.length / section.length;
    assert.equal(out.split('<h2>').length - 1, sections);
    assert.equal(out.split('<pre>').length - 1, sections);
    assert.equal(out.split('<blockquote>').length - 1, sections);
  });

  test('renders 10 KB of unclosed markup, losing none of its text', () => {
    // micromark, under react-markdown, is not linear on some of these (200 KB of `[` takes many
    // seconds), so they stay small. Unclosed markup in a finished text stays text: every character
    // that cannot be syntax (and every lone `[` and backtick) is still there.
    const size = 10_000;
    const cases: [input: string, kept: string][] = [
      ['['.repeat(size), '['],
      ['[a](b'.repeat(size / 5), 'a'],
      ['*a '.repeat(size / 3), 'a'],
      ['x' + '`'.repeat(size), '`'],
      ['**'.repeat(size / 2) + 'x', 'x'],
    ];
    const count = (text: string, character: string) => text.split(character).length - 1;
    for (const [input, kept] of cases) {
      const text = html(input).replace(/<[^>]*>/g, '');
      assert.equal(count(text, kept), count(input, kept), `${JSON.stringify(input.slice(0, 12))}: every ${JSON.stringify(kept)} is kept`);
    }
  });
});
