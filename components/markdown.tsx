import { memo, type ReactNode } from 'react';
import ReactMarkdown, { type Components, type UrlTransform } from 'react-markdown';
import remarkBreaks from 'remark-breaks';
import remarkGfm from 'remark-gfm';
import remend, { type RemendOptions } from 'remend';
import { splitBlocks } from '@/lib/markdown/blocks';
import { isExternalUrl, safeUrl } from '@/lib/markdown/urls';

/**
 * Renders markdown (CommonMark with GitHub's tables, task lists, strikethrough and autolinks), such
 * as a chat answer that is still streaming in, as React elements.
 *
 * Safe by construction: raw HTML is shown as text (react-markdown turns it into text nodes and
 * there is no `dangerouslySetInnerHTML`), only http, https and relative URLs become an `href`, and
 * images are not loaded: an image shows as a link to it, so an answer cannot make the browser fetch
 * a URL by itself.
 *
 * The text is split into blocks (see `splitBlocks`): every block but the last is unchanged and
 * memoized, so each update of a streaming answer parses and renders the last block only. While the
 * answer is still `streaming`, that block is first completed by `remend`: `**bol` renders as bold
 * "bol", a link still arriving as its label, an unclosed fence as code marked `data-open`. A
 * finished text is rendered as written: its `a [b` keeps its bracket.
 */
export function Markdown({ text, streaming = false }: { text: string; streaming?: boolean }) {
  const blocks = splitBlocks(text);
  return (
    <div className="markdown">
      {blocks.map((block, index) =>
        // Keyed by position: while an answer streams only its last block changes.
        index === blocks.length - 1 && streaming ? (
          <Block key={index} source={remend(block.source, REMEND)} open={block.openFence} />
        ) : (
          <Block key={index} source={block.source} open={false} />
        ),
      )}
    </div>
  );
}

// A link still arriving renders as its label, not as a link to a placeholder URL.
const REMEND: RemendOptions = { linkMode: 'text-only' };

const REMARK_PLUGINS = [remarkGfm, remarkBreaks];

// Equal props render equal output: a finished block skips rendering while later ones stream.
const Block = memo(function Block({ source, open }: { source: string; open: boolean }) {
  return (
    <ReactMarkdown
      remarkPlugins={REMARK_PLUGINS}
      urlTransform={urlTransform}
      components={open ? OPEN_COMPONENTS : COMPONENTS}
    >
      {source}
    </ReactMarkdown>
  );
});

const urlTransform: UrlTransform = (url) => safeUrl(url);

const COMPONENTS: Components = {
  a({ href, children }) {
    return link(href, children);
  },
  img({ src, alt }) {
    const label = alt || (typeof src === 'string' ? src : '');
    return link(typeof src === 'string' ? src : undefined, label);
  },
};

// In a block that ends inside an unclosed fence, the code block is still streaming.
const OPEN_COMPONENTS: Components = {
  ...COMPONENTS,
  pre({ children }) {
    return <pre data-open="">{children}</pre>;
  },
};

// An unsafe URL was removed by `urlTransform`: what is left is the label, as text.
function link(href: string | undefined, children: ReactNode): ReactNode {
  if (!href) return <>{children}</>;
  return isExternalUrl(href) ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ) : (
    <a href={href}>{children}</a>
  );
}
