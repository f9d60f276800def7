/**
 * The playground's text box shows invisible characters as escapes: `\r` (CR), `\0` (NUL),
 * `\uFEFF` (BOM, or any `\uXXXX`) and `\\` for a backslash. Line feeds stay real line breaks.
 */
export function escapeStream(text: string): string {
  return text.replace(/[\\\r\0\uFEFF]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\r' ? '\\r' : c === '\0' ? '\\0' : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/** The inverse of {@link escapeStream}; an unknown escape is kept as it is. */
export function unescapeStream(text: string): string {
  return text.replace(/\\(\\|r|n|0|u[0-9a-fA-F]{4})/g, (_, escape: string) =>
    escape === '\\' ? '\\' : escape === 'r' ? '\r' : escape === 'n' ? '\n' : escape === '0' ? '\0' : String.fromCharCode(parseInt(escape.slice(1), 16)),
  );
}
