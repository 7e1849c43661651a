/** What one file change amounts to: the new content's hash (for attribution) and its size. */
import type { Known } from './content-cache.js';
import { countLines, lineDiff, looksLikeText } from './diffstat.js';
import type { ChangeSize } from './feed-types.js';
import { sha256Bytes, type Baseline, type Reader } from './reader.js';

/** The "previous content" of a file that did not exist. */
export const ABSENT: Known = { hash: '', text: '' };

export interface Analysis {
  /** Undefined when the file could not be read (gone again, or too large to hash). */
  hash?: string;
  size?: ChangeSize;
  /** What the cache should now hold for the path; undefined: forget it. */
  known?: Known;
}

const decoder = new TextDecoder('utf-8');

/** `before` null: the previous content is unknown, so the size is given in bytes. */
export async function analyzeWrite(read: Reader, path: string, before: Known | null, maxTextBytes: number): Promise<Analysis> {
  let bytes: Awaited<ReturnType<Reader>>;
  try {
    bytes = await read(path);
  } catch {
    bytes = undefined; // an injected reader that throws is treated like a file that vanished
  }
  if (bytes === undefined) return {};
  if (!(bytes instanceof Uint8Array)) return { size: { bytes: bytes.bytes } };
  const hash = sha256Bytes(bytes);
  if (bytes.length > maxTextBytes || !looksLikeText(bytes)) return { hash, size: { bytes: bytes.length }, known: { hash } };
  const text = decoder.decode(bytes);
  if (before?.text === undefined) return { hash, size: { bytes: bytes.length }, known: { hash, text } };
  const { added, removed } = lineDiff(before.text, text);
  return { hash, size: { added, removed }, known: { hash, text } };
}

export function deletedSize(before: Known | null): ChangeSize | undefined {
  return before?.text !== undefined ? { added: 0, removed: countLines(before.text) } : undefined;
}

/** The previous content from the baseline (git HEAD), hashed so a delete can pair with an add. */
export async function loadBaseline(baseline: Baseline | undefined, path: string): Promise<Known | null> {
  if (!baseline) return null;
  try {
    const text = await baseline(path);
    return text === undefined ? null : { hash: sha256Bytes(text), text };
  } catch {
    return null;
  }
}
