/**
 * Seeded choices for the simulated model. Every draw comes from a generator the caller passes in
 * (see `seededRandom`), so the same seed makes the same choices in the same order.
 */

/** A source of numbers in [0, 1), such as `seededRandom(seed)`. */
export type Random = () => number;

/** A number from `low` (included) to `high` (excluded); one draw. */
export function between(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

/**
 * One item of `items`; one draw.
 *
 * @throws Error when `items` is empty.
 */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('Cannot pick from an empty list.');
  return item;
}

/** A shuffled copy of `items` (Fisher-Yates); one draw per item but the first. */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) throw new Error('Shuffle index out of range.');
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}
