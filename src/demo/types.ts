/**
 * Types shared by the local Messages API server (server.ts), its scripted steps and responders.
 *
 * A Step is plain data so tests and the demo script can describe a response (or a fault) without
 * touching HTTP; the server turns it into exactly the bytes the real API would send.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Usage counters as the API reports them (the subset the SDK's Usage type requires values for). */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown };

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens';

/** Pacing shared by every step that streams content. */
export interface Pace {
  /** Characters of text (or of a tool's JSON input) per delta event. Default 12. */
  chunkChars?: number;
  /** Characters of a tool's JSON input per delta event, when it should differ. Default: chunkChars. */
  toolChunkChars?: number;
  /** Pause between SSE frames, so a person can watch text arrive. Default 0. */
  chunkDelayMs?: number;
}

interface StepBase {
  /** Wait this long before sending response headers (the SDK's timeout covers only this wait). */
  delayMs?: number;
}

/** A normal answer: streamed as SSE when the request asked for a stream, JSON otherwise. */
export interface ReplyStep extends StepBase, Pace {
  kind: 'reply';
  content: ReplyBlock[];
  /** Default: 'tool_use' when content has a tool_use block, else 'end_turn'. */
  stopReason?: StopReason;
  /** Overrides for the computed usage. */
  usage?: Partial<Usage>;
}

/**
 * An API error. Without afterChars it is an HTTP error status before any stream (the SDK may retry);
 * with afterChars the stream starts with 200, sends that much content, then an SSE `error` event
 * (how the real API reports overload mid-stream; never retried by the SDK).
 */
export interface ErrorStep extends StepBase {
  kind: 'error';
  status: number;
  /** Error type in the body; defaults by status (429 rate_limit_error, 529 overloaded_error, ...). */
  type?: string;
  message?: string;
  /** Seconds, sent as `retry-after` (fractions allowed; the SDK parses floats). 429 defaults to 1. */
  retryAfter?: number;
  /** Sent as `x-should-retry` when set; the SDK obeys it over its status rules. */
  shouldRetry?: boolean;
  afterChars?: number;
  content?: ReplyBlock[];
}

/** Headers and part of a stream, then the socket is destroyed (a connection reset mid-stream). */
export interface DropStep extends StepBase, Pace {
  kind: 'drop';
  /** Content characters sent before the cut. Default: half of the content. */
  afterChars?: number;
  content?: ReplyBlock[];
}

/** Headers and part of a stream, then silence with the connection held open. */
export interface StallStep extends StepBase, Pace {
  kind: 'stall';
  afterChars?: number;
  content?: ReplyBlock[];
}

export type Step = ReplyStep | ErrorStep | DropStep | StallStep;

/** One POST /v1/messages as received (requests without a key or a JSON body are not recorded). */
export interface RecordedRequest {
  /** Position in MessagesServer.requests, from 0. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. Loosely typed: tests inspect whatever the client sent. */
  body: MessagesBody;
  receivedAt: number;
  /** Set when the server refused the request as the real API would (400); no step was used for it. */
  rejected?: string;
}

/** The fields of a Messages request the server looks at; everything else passes through untouched. */
export interface MessagesBody {
  model: string;
  max_tokens: number;
  messages: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
  system?: string | Array<Record<string, unknown>>;
  tools?: Array<Record<string, unknown>>;
  stream?: boolean;
  cache_control?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** Decides the answer to a request when no queued step is left. */
export type Responder = (request: RecordedRequest, index: number) => Step | Promise<Step>;

export interface MessagesServer {
  /** Base URL for the SDK's `baseURL`, e.g. http://127.0.0.1:41234 (no trailing slash, no /v1). */
  url: string;
  /** Every POST /v1/messages with a key and a JSON body, in arrival order (refused ones included). */
  requests: RecordedRequest[];
  /** Steps used first, one per request, before the responder is asked. */
  enqueue(...steps: Step[]): void;
  setResponder(r: Responder): void;
  /** Ends every open connection (stalled ones included), then stops listening. */
  close(): Promise<void>;
}
