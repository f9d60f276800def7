import { memo, type ReactNode } from 'react';
import { isExternalHref, parseMarkdown, type Block, type Inline, type List } from '@/lib/markdown/parse';

/**
 * Renders markdown, such as a chat answer that is still streaming in, as React elements.
 *
 * Safe by construction: every piece of text reaches React as a text node (so `<img onerror=...>`
 * shows as those characters), there is no `dangerouslySetInnerHTML`, and the parser only keeps
 * http, https and relative links.
 */
export function Markdown({ text }: { text: string }) {
  const blocks = parseMarkdown(text);
  return (
    <div className="markdown">
      {blocks.map((block, index) => (
        // Keyed by position: while an answer streams only its last block changes, and the memo
        // below lets every earlier block skip rendering.
        <BlockView key={index} block={block} />
      ))}
    </div>
  );
}

// Equal sources give equal blocks, so the source alone decides whether to render again.
const BlockView = memo(
  function BlockView({ block }: { block: Block }) {
    return renderBlock(block);
  },
  (previous, next) => previous.block.source === next.block.source,
);

function renderBlock(block: Block): ReactNode {
  switch (block.type) {
    case 'heading': {
      const Heading = `h${block.level}` as const;
      return <Heading>{renderInlines(block.children)}</Heading>;
    }
    case 'paragraph':
      return <p>{renderInlines(block.children)}</p>;
    case 'list':
      return renderList(block);
    case 'code':
      return (
        <pre data-open={block.closed ? undefined : ''}>
          <code className={block.lang ? `language-${block.lang}` : undefined}>{block.text}</code>
        </pre>
      );
    case 'blockquote':
      return <blockquote>{renderInlines(block.children)}</blockquote>;
    case 'thematicBreak':
      return <hr />;
  }
}

function renderList(list: List): ReactNode {
  const items = list.items.map((item, index) => (
    <li key={index}>
      {renderInlines(item.children)}
      {item.sublist ? renderList(item.sublist) : null}
    </li>
  ));
  return list.ordered ? <ol start={list.start === 1 ? undefined : list.start}>{items}</ol> : <ul>{items}</ul>;
}

function renderInlines(nodes: Inline[]): ReactNode[] {
  return nodes.map(renderInline);
}

function renderInline(node: Inline, index: number): ReactNode {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'strong':
      return <strong key={index}>{renderInlines(node.children)}</strong>;
    case 'emphasis':
      return <em key={index}>{renderInlines(node.children)}</em>;
    case 'inlineCode':
      return <code key={index}>{node.text}</code>;
    case 'link':
      return isExternalHref(node.href) ? (
        <a key={index} href={node.href} target="_blank" rel="noopener noreferrer">
          {renderInlines(node.children)}
        </a>
      ) : (
        <a key={index} href={node.href}>
          {renderInlines(node.children)}
        </a>
      );
    case 'break':
      return <br key={index} />;
  }
}
