/**
 * A deterministic stand-in for a language model, so the chat demo, its end-to-end tests and the
 * benchmarks stream realistic answers without a network, a key or a bill. The same messages and
 * seed always give the same steps, delays included; the seed only varies phrasing, never facts.
 *
 * This is the entry point; the logic lives in `./model/` (one concern a file) and what the model
 * knows in `./corpus/` (JSON a writer can edit; see its README).
 */

export { DEFAULT_DELAY_MS, type SimulateOptions } from './model/options';
export { simulateChat } from './model/steps';
export { estimateTokens } from './model/tokenizer';
