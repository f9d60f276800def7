/**
 * Reads a heap snapshot of a server holding N streams (`npm run bench:fanout -- --streams 1000
 * --heap-snapshot DIR`) and prints what is kept per stream: every kind of object found at least
 * 0.9 N times, with its count and its bytes per stream, then a shortest retainer path from a GC
 * root to one instance of each kind asked for.
 *
 *   npx tsx bench/fanout-heap.ts DIR/app.heapsnapshot 1000 [kind ...]   (kind: a substring, such as IncrementalCache)
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const [file, streamsArg = '1000', ...kinds] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/fanout-heap.ts <file.heapsnapshot> [streams] [kind ...]');
const STREAMS = Number(streamsArg);

const { snapshot, nodes, edges, strings } = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const { meta } = snapshot;
const NODE = meta.node_fields.length;
const EDGE = meta.edge_fields.length;
const [nodeTypes] = meta.node_types;
const [edgeTypes] = meta.edge_types;
const field = (name: string) => meta.node_fields.indexOf(name);
const [TYPE, NAME, SIZE, EDGES] = [field('type'), field('name'), field('self_size'), field('edge_count')];
const [E_TYPE, E_NAME, E_TO] = ['type', 'name_or_index', 'to_node'].map((name) => meta.edge_fields.indexOf(name)) as [number, number, number];
const count = nodes.length / NODE;

const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i++) {
  firstEdge[i] = e;
  e += nodes[i * NODE + EDGES]! * EDGE;
  firstEdge[i + 1] = e;
}

const kindOf = (i: number) => `${nodeTypes[nodes[i * NODE + TYPE]!]}:${strings[nodes[i * NODE + NAME]!]}`.slice(0, 80);
const edgeName = (e: number) => {
  const type = edgeTypes[edges[e + E_TYPE]!];
  const name = edges[e + E_NAME]!;
  return type === 'element' || type === 'hidden' ? `[${name}]` : strings[name];
};

// Breadth-first from the root over strong edges: what is reachable, and a shortest path to it.
const parent = new Int32Array(count).fill(-1);
const parentEdge = new Int32Array(count).fill(-1);
const queue = new Int32Array(count);
let head = 0;
let tail = 0;
queue[tail++] = 0;
parent[0] = 0;
while (head < tail) {
  const i = queue[head++]!;
  for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += EDGE) {
    if (edgeTypes[edges[e + E_TYPE]!] === 'weak') continue;
    const j = edges[e + E_TO]! / NODE;
    if (parent[j] !== -1) continue;
    parent[j] = i;
    parentEdge[j] = e;
    queue[tail++] = j;
  }
}

const byKind = new Map<string, { count: number; bytes: number; sample: number }>();
for (let i = 1; i < count; i++) {
  if (parent[i] === -1) continue;
  const kind = kindOf(i);
  const entry = byKind.get(kind) ?? { count: 0, bytes: 0, sample: i };
  entry.count++;
  entry.bytes += nodes[i * NODE + SIZE]!;
  // A sample from the middle, not the first of its kind (often a prototype or a template).
  if (entry.count === Math.floor(STREAMS / 2)) entry.sample = i;
  byKind.set(kind, entry);
}

console.log(`${file}: kinds of object found at least ${Math.round(STREAMS * 0.9)} times (per stream: count, bytes)`);
for (const [kind, entry] of [...byKind].filter(([, e]) => e.count >= STREAMS * 0.9).sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 40)) {
  console.log(`${(entry.count / STREAMS).toFixed(1).padStart(7)} x ${(entry.bytes / STREAMS).toFixed(0).padStart(6)} B  ${kind.replace(/\n/g, ' ')}`);
}
for (const wanted of kinds) {
  const found = [...byKind].find(([kind]) => kind.includes(wanted));
  if (!found) {
    console.log(`\nno ${wanted}`);
    continue;
  }
  const path: string[] = [];
  for (let i = found[1].sample; i > 0 && path.length < 40; i = parent[i]!) path.push(`${kindOf(i)}  <-${edgeName(parentEdge[i]!)}-`);
  console.log(`\nretainer path of ${found[0]} (x${found[1].count}), from the object up to a root:\n  ${path.join('\n  ')}`);
}
