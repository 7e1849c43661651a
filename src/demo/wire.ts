// What goes on the wire: Message objects, SSE frames and error bodies, shaped like the real API's so
// the SDK's parser (core/streaming.ts, lib/MessageStream.ts) accepts them unchanged. Pure functions;
// the server decides when (and whether) each frame is written.
import type { ReplyBlock, StopReason, Usage } from './types.js';
import type { CacheUsage } from './cache.js';
import { tokensFor } from './cache.js';

/** The full usage object of a Message (every field the SDK's Usage type declares). */
export interface WireUsage extends Usage {
  cache_creation: CacheUsage['cache_creation'];
  server_tool_use: null;
  service_tier: 'standard';
  inference_geo: null;
  output_tokens_details: null;
  speed: null;
}

export function wireUsage(cache: CacheUsage, outputTokens: number, override: Partial<Usage> = {}): WireUsage {
  return {
    input_tokens: override.input_tokens ?? cache.input_tokens,
    cache_creation_input_tokens: override.cache_creation_input_tokens ?? cache.cache_creation_input_tokens,
    cache_read_input_tokens: override.cache_read_input_tokens ?? cache.cache_read_input_tokens,
    output_tokens: override.output_tokens ?? outputTokens,
    cache_creation: cache.cache_creation,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
    output_tokens_details: null,
    speed: null,
  };
}

/** A reply block with its id settled, as it will appear in the Message. */
export type WireBlock =
  | { type: 'text'; text: string; citations: null }
  | { type: 'tool_use'; id: string; name: string; input: unknown; caller: { type: 'direct' } };

export function settleBlocks(content: ReplyBlock[], requestIndex: number): WireBlock[] {
  return content.map((b, i) =>
    b.type === 'text'
      ? { type: 'text', text: b.text, citations: null }
      : {
          type: 'tool_use',
          // Deterministic ids keep recorded conversations (and the demo) reproducible.
          id: b.id ?? `toolu_demo${String(requestIndex).padStart(4, '0')}${String(i).padStart(2, '0')}`,
          name: b.name,
          input: b.input ?? {},
          caller: { type: 'direct' },
        },
  );
}

/** The characters a block streams: its text, or its input as JSON (what input_json_delta carries). */
export const streamedText = (b: WireBlock): string => (b.type === 'text' ? b.text : JSON.stringify(b.input));

export const contentChars = (blocks: WireBlock[]): number => blocks.reduce((n, b) => n + streamedText(b).length, 0);

export const outputTokensFor = (blocks: WireBlock[]): number =>
  Math.max(1, tokensFor(blocks.reduce((n, b) => n + streamedText(b).length + (b.type === 'tool_use' ? b.name.length + 8 : 0), 0)));

export function defaultStopReason(content: ReplyBlock[]): StopReason {
  return content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
}

export interface MessageShape {
  id: string;
  model: string;
  content: WireBlock[];
  stopReason: StopReason | null;
  usage: WireUsage;
}

export function messageObject(m: MessageShape) {
  return {
    id: m.id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: m.model,
    content: m.content,
    stop_reason: m.stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: m.usage,
  };
}

export interface Frame {
  event: string;
  data: unknown;
  /** Content characters this frame carries, for cutting a stream after N characters. */
  chars: number;
}

export const encodeFrame = (f: Frame): string => `event: ${f.event}\ndata: ${JSON.stringify(f.data)}\n\n`;

/** Splits `text` into pieces of `size`, with an extra boundary at `cut` so a stream can stop exactly there. */
function pieces(text: string, size: number, cut: number | undefined): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + size);
    if (cut !== undefined && cut > i && cut < end) end = cut;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/**
 * Every frame of a streamed reply in order, text in pieces of `chunkChars` and tool inputs in pieces
 * of `toolChunkChars`. `cutAt` (content characters from the start) only adds a chunk boundary there;
 * the caller decides to stop writing at it.
 */
export function replyFrames(m: MessageShape, chunkChars: number, cutAt?: number, toolChunkChars = chunkChars): Frame[] {
  const size = Math.max(1, Math.floor(chunkChars));
  const toolSize = Math.max(1, Math.floor(toolChunkChars));
  const frames: Frame[] = [];
  const start = messageObject({ ...m, content: [], stopReason: null });
  // The API reports a token or so of output at the start and the real count in message_delta.
  frames.push({ event: 'message_start', data: { type: 'message_start', message: { ...start, usage: { ...m.usage, output_tokens: 1 } } }, chars: 0 });
  frames.push({ event: 'ping', data: { type: 'ping' }, chars: 0 });
  let offset = 0;
  m.content.forEach((b, index) => {
    const startBlock = b.type === 'text' ? { ...b, text: '' } : { ...b, input: {} };
    frames.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: startBlock }, chars: 0 });
    const text = streamedText(b);
    const local = cutAt !== undefined ? cutAt - offset : undefined;
    // The API opens a tool's input with an empty delta before the JSON arrives.
    if (b.type === 'tool_use')
      frames.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }, chars: 0 });
    for (const p of pieces(text, b.type === 'text' ? size : toolSize, local)) {
      const delta = b.type === 'text' ? { type: 'text_delta', text: p } : { type: 'input_json_delta', partial_json: p };
      frames.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta }, chars: p.length });
    }
    offset += text.length;
    frames.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index }, chars: 0 });
  });
  frames.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: m.stopReason, stop_sequence: null, stop_details: null, container: null },
      usage: {
        input_tokens: m.usage.input_tokens,
        cache_creation_input_tokens: m.usage.cache_creation_input_tokens,
        cache_read_input_tokens: m.usage.cache_read_input_tokens,
        output_tokens: m.usage.output_tokens,
        server_tool_use: null,
        output_tokens_details: null,
      },
    },
    chars: 0,
  });
  frames.push({ event: 'message_stop', data: { type: 'message_stop' }, chars: 0 });
  return frames;
}

/**
 * The frames a cut stream sends: everything until `afterChars` content characters went out, ending
 * right after the delta that reached it, so the block being streamed is left open (never stopped).
 */
export function framesUpTo(frames: Frame[], afterChars: number): Frame[] {
  let sent = 0;
  const out: Frame[] = [];
  for (const f of frames) {
    if (sent + f.chars > afterChars) break;
    out.push(f);
    sent += f.chars;
    if (f.chars > 0 && sent === afterChars) break;
  }
  return out;
}

const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const DEFAULT_ERROR_MESSAGES: Record<string, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

export function errorType(status: number, type?: string): string {
  return type ?? DEFAULT_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** The body the API sends with an error status (and, minus request_id, in an SSE `error` event). */
export function errorBody(status: number, type?: string, message?: string, requestId?: string) {
  const t = errorType(status, type);
  return {
    type: 'error' as const,
    error: { type: t, message: message ?? DEFAULT_ERROR_MESSAGES[t] ?? 'Error' },
    ...(requestId ? { request_id: requestId } : {}),
  };
}
