/**
 * A simulated prompt cache, so clients can test that their request prefix stays byte-stable.
 *
 * Model of the real API (simplified): a request is a sequence of blocks (tools, then system blocks,
 * then message content blocks). A block carrying `cache_control` (or the last block when the request
 * has a top-level `cache_control`) is a breakpoint. Each breakpoint looks for a stored entry at itself
 * or up to 19 blocks before it; the longest hit is read from the cache, the rest of the prefix up to
 * the last breakpoint is written, and everything after it is plain input.
 *
 * Invariants:
 * - an entry is the hash of the model plus the exact serialized blocks up to a breakpoint, with the
 *   `cache_control` markers removed (moving a breakpoint must not change the bytes before it);
 * - entries are stored only at breakpoints of requests that were answered, and expire after their
 *   TTL (5 minutes or 1 hour), refreshed on every read, as the API does;
 * - token counts are ~chars/4 of the serialized JSON, so read + creation + input == total.
 */
import { createHash } from 'node:crypto';
import type { MessagesBody } from './types.js';

const LOOKBACK_BLOCKS = 20;
const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;
type Ttl = keyof typeof TTL_MS;

export interface CacheUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

interface Segment {
  text: string;
  ttl?: Ttl;
}

export const tokensFor = (chars: number): number => Math.ceil(chars / 4);

function ttlOf(v: unknown): Ttl | undefined {
  if (!v || typeof v !== 'object') return undefined;
  return (v as { ttl?: string }).ttl === '1h' ? '1h' : '5m';
}

function stripCacheControl(block: Record<string, unknown>): Record<string, unknown> {
  if (!('cache_control' in block)) return block;
  const { cache_control: _cc, ...rest } = block;
  return rest;
}

/** The request as an ordered list of blocks; `ttl` is set on breakpoints. */
export function segmentsOf(body: MessagesBody): Segment[] {
  const out: Segment[] = [];
  const push = (prefix: string, block: Record<string, unknown>) =>
    out.push({ text: prefix + JSON.stringify(stripCacheControl(block)), ttl: ttlOf(block.cache_control) });
  for (const tool of body.tools ?? []) push('tool:', tool);
  if (typeof body.system === 'string') out.push({ text: 'system:' + JSON.stringify(body.system) });
  else for (const block of body.system ?? []) push('system:', block);
  for (const m of body.messages ?? []) {
    if (typeof m.content === 'string') out.push({ text: `${m.role}:` + JSON.stringify(m.content) });
    else for (const block of m.content ?? []) push(`${m.role}:`, block);
  }
  if (body.cache_control && out.length) out[out.length - 1].ttl ??= ttlOf(body.cache_control);
  return out;
}

export class PromptCache {
  /** hash -> expiry time (ms since epoch) */
  private entries = new Map<string, number>();

  constructor(private now: () => number = Date.now) {}

  /** Computes the usage of `body` and records its breakpoints as cache entries. */
  use(body: MessagesBody): CacheUsage {
    const segs = segmentsOf(body);
    const hashes: string[] = [];
    const ends: number[] = [];
    let prev = createHash('sha256').update(String(body.model)).digest('hex');
    let chars = 0;
    for (const s of segs) {
      // Chained hashes: each one stands for the whole prefix without rehashing it.
      prev = createHash('sha256').update(prev).update('\0').update(s.text).digest('hex');
      hashes.push(prev);
      chars += s.text.length;
      ends.push(chars);
    }
    const total = tokensFor(chars);
    const breakpoints = segs.flatMap((s, i) => (s.ttl ? [i] : []));
    if (breakpoints.length === 0) {
      return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } };
    }
    const now = this.now();
    for (const [h, exp] of this.entries) if (exp <= now) this.entries.delete(h);

    let hit = -1;
    for (const bp of breakpoints) {
      for (let j = bp; j >= 0 && j > bp - LOOKBACK_BLOCKS; j--) {
        if (this.entries.has(hashes[j])) {
          hit = Math.max(hit, j);
          break;
        }
      }
    }
    const last = breakpoints[breakpoints.length - 1];
    const read = hit >= 0 ? tokensFor(ends[hit]) : 0;
    const prefix = tokensFor(ends[last]);
    const creation = prefix - read;
    const ttl = segs[last].ttl ?? '5m';

    if (hit >= 0) this.entries.set(hashes[hit], now + TTL_MS[ttl]);
    for (const bp of breakpoints) this.entries.set(hashes[bp], now + TTL_MS[segs[bp].ttl ?? '5m']);

    return {
      input_tokens: total - prefix,
      cache_creation_input_tokens: creation,
      cache_read_input_tokens: read,
      cache_creation: {
        ephemeral_5m_input_tokens: ttl === '5m' ? creation : 0,
        ephemeral_1h_input_tokens: ttl === '1h' ? creation : 0,
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
