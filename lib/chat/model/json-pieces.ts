/** How a tool input's JSON text is cut into the pieces it streams in, as a model writes it. */

// Words with their leading space, runs of punctuation, and any single character left over: the
// pieces a tool input's JSON text streams in, roughly as a model would write it.
const JSON_PIECE = / ?[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+|\s+/gu;

/** Cuts JSON text into the pieces it streams in; joined, they give the text back exactly. */
export function jsonPieces(json: string): string[] {
  return json.match(JSON_PIECE) ?? [];
}
