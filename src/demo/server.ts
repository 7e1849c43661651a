/**
 * A local server that speaks the Anthropic Messages API over HTTP, for `agents --demo` and the tests.
 * It drives the real SDK: streamed (SSE) and JSON replies with text and tool_use blocks, usage with a
 * simulated prompt cache, API-shaped errors, and faults (a connection dropped or stalled mid-stream).
 *
 * Invariants:
 * - it listens on 127.0.0.1 only and answers only requests carrying a key (x-api-key or
 *   Authorization: Bearer), like the API; requests without one get 401 and are not recorded;
 * - `requests` holds every POST /v1/messages with a JSON body in arrival order; request i is refused
 *   (400, `rejected` set, no step used) if the real API would refuse it, else answered by the next
 *   queued step if any, else by `responder(request, i)`: one step per request, never two;
 * - every SSE frame carries its `event:` line (the SDK drops frames without one);
 * - a stalled or slow response ends when its client goes away or the server closes, and `close()`
 *   destroys every open connection first, so it always settles and tests never hang.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { PromptCache, segmentsOf, tokensFor } from './cache.js';
import { DEMO_MODELS, listModelsPage, type DemoModelInfo } from './models.js';
import { validateMessagesRequest } from './validate.js';
import type { MessagesBody, MessagesServer, RecordedRequest, ReplyBlock, Responder, Step } from './types.js';
import {
  contentChars,
  defaultStopReason,
  encodeFrame,
  errorBody,
  framesUpTo,
  messageObject,
  outputTokensFor,
  replyFrames,
  settleBlocks,
  wireUsage,
  type MessageShape,
} from './wire.js';

export type { MessagesServer, RecordedRequest, Responder, Step } from './types.js';

export interface StartOptions {
  responder?: Responder;
  host?: '127.0.0.1';
  /** 0 or absent: any free port. */
  port?: number;
  /** What GET /v1/models lists; defaults to DEMO_MODELS. */
  models?: readonly DemoModelInfo[];
  /** Reject requests the real API would reject (tool_use/tool_result pairing, ...). Default true. */
  validate?: boolean;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024; // the API's own request size limit
const DEFAULT_CHUNK_CHARS = 12;
const CUT_CONTENT: ReplyBlock[] = [
  { type: 'text', text: 'This answer is going to be cut off somewhere in the middle, as a faulty connection would do it.' },
];

function lastUserText(body: MessagesBody): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    const texts = m.content.filter((b) => b.type === 'text').map((b) => String(b.text));
    if (texts.length) return texts.join('\n');
  }
  return '';
}

/** The default answer: a short text echoing the last user message. */
export const echoResponder: Responder = (req) => ({
  kind: 'reply',
  content: [{ type: 'text', text: `Echo: ${lastUserText(req.body) || '(no text)'}` }],
});

const requestIdFor = (index: number) => `req_demo${String(index).padStart(6, '0')}`;

const hasKey = (req: IncomingMessage): boolean => {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.trim()) return true;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && /^Bearer\s+\S/i.test(auth);
};

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startMessagesServer(opts: StartOptions = {}): Promise<MessagesServer> {
  let responder: Responder = opts.responder ?? echoResponder;
  const models = opts.models ?? DEMO_MODELS;
  const validate = opts.validate ?? true;
  const queue: Step[] = [];
  const requests: RecordedRequest[] = [];
  const cache = new PromptCache();
  // Aborted by close(): wakes every paced writer and stalled response at once.
  const closing = new AbortController();
  let replies = 0;

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const sendError = (res: ServerResponse, status: number, message: string, requestId: string, type?: string) =>
    sendJson(res, status, errorBody(status, type, message, requestId), { 'request-id': requestId });

  /** A signal that fires when this response's client goes away or the server closes. */
  const lifetime = (res: ServerResponse): AbortSignal => {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    return AbortSignal.any([ac.signal, closing.signal]);
  };
  const pause = async (ms: number | undefined, signal: AbortSignal) => {
    if (!ms || ms <= 0 || signal.aborted) return;
    await sleepFor(ms, undefined, { signal }).catch(() => undefined);
  };
  const write = (res: ServerResponse, text: string) =>
    new Promise<void>((resolve) => res.write(text, () => resolve()));

  async function answer(res: ServerResponse, body: MessagesBody, step: Step, index: number): Promise<void> {
    const requestId = requestIdFor(index);
    const signal = lifetime(res);
    await pause(step.delayMs, signal);
    if (signal.aborted) return;

    if (step.kind === 'error' && (step.afterChars === undefined || !body.stream)) {
      const headers: Record<string, string> = { 'request-id': requestId };
      const retryAfter = step.retryAfter ?? (step.status === 429 ? 1 : undefined);
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      if (step.shouldRetry !== undefined) headers['x-should-retry'] = String(step.shouldRetry);
      sendJson(res, step.status, errorBody(step.status, step.type, step.message, requestId), headers);
      return;
    }

    const content = step.kind === 'reply' ? step.content : (step.content ?? CUT_CONTENT);
    const blocks = settleBlocks(content, index);
    const usage = wireUsage(cache.use(body), outputTokensFor(blocks), step.kind === 'reply' ? step.usage : undefined);
    const shape: MessageShape = {
      id: `msg_demo${String(replies++).padStart(6, '0')}`,
      model: body.model,
      content: blocks,
      stopReason: step.kind === 'reply' ? (step.stopReason ?? defaultStopReason(content)) : defaultStopReason(content),
      usage,
    };

    if (!body.stream) {
      if (step.kind === 'reply') return sendJson(res, 200, messageObject(shape), { 'request-id': requestId });
      const json = JSON.stringify(messageObject(shape));
      // A cut JSON answer: declared length, half the bytes, then a drop or silence.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), 'request-id': requestId });
      await write(res, json.slice(0, Math.floor(json.length / 2)));
      if (step.kind === 'drop') res.socket?.destroy();
      else await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
    res.flushHeaders();
    const chunkChars = step.kind === 'error' ? DEFAULT_CHUNK_CHARS : (step.chunkChars ?? DEFAULT_CHUNK_CHARS);
    const delay = step.kind === 'error' ? 0 : (step.chunkDelayMs ?? 0);
    const cut = step.kind === 'reply' ? undefined : (step.afterChars ?? Math.floor(contentChars(blocks) / 2));
    const toolChunkChars = step.kind === 'error' ? chunkChars : (step.toolChunkChars ?? chunkChars);
    const all = replyFrames(shape, chunkChars, cut, toolChunkChars);
    const frames = cut === undefined ? all : framesUpTo(all, cut);
    for (let i = 0; i < frames.length; i++) {
      if (signal.aborted) return;
      await write(res, encodeFrame(frames[i]));
      if (i < frames.length - 1) await pause(delay, signal);
    }
    if (signal.aborted) return;
    if (step.kind === 'reply') res.end();
    else if (step.kind === 'error') {
      const data = errorBody(step.status, step.type, step.message);
      res.end(encodeFrame({ event: 'error', data, chars: 0 }));
    } else if (step.kind === 'drop') {
      // The bytes are flushed (write callbacks ran); destroying now cuts the chunked body mid-way.
      res.socket?.destroy();
    } else {
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      res.socket?.destroy();
    }
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, countOnly: boolean): Promise<void> {
    const raw = await readBody(req);
    const requestId = 'req_demo_unrecorded';
    if (raw === undefined) return sendError(res, 413, 'Request exceeds the maximum allowed number of bytes.', requestId);
    let body: MessagesBody;
    try {
      body = JSON.parse(raw) as MessagesBody;
    } catch {
      return sendError(res, 400, 'Request body is not valid JSON', requestId);
    }
    if (countOnly) {
      if (!body || !Array.isArray(body.messages)) return sendError(res, 400, 'messages: Field required', requestId);
      const chars = segmentsOf(body).reduce((n, s) => n + s.text.length, 0);
      return sendJson(res, 200, { input_tokens: tokensFor(chars) }, { 'request-id': requestId });
    }
    const index = requests.length;
    const recorded: RecordedRequest = { index, method: req.method ?? 'POST', path: req.url ?? '', headers: req.headers, body, receivedAt: Date.now() };
    requests.push(recorded);
    // Refused before any step is used, as the API refuses before a model sees the request.
    const problem = validate ? validateMessagesRequest(body) : undefined;
    if (problem) {
      recorded.rejected = problem;
      return sendError(res, 400, problem, requestIdFor(index));
    }
    let step: Step;
    try {
      step = queue.shift() ?? (await responder(recorded, index));
    } catch (err) {
      return sendError(res, 500, `responder failed: ${(err as Error).message}`, requestIdFor(index));
    }
    await answer(res, body, step, index);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '');
    const requestId = 'req_demo_route';
    if (!hasKey(req)) {
      req.resume();
      return sendError(res, 401, 'x-api-key header is required', requestId, 'authentication_error');
    }
    if (req.method === 'POST' && path === '/v1/messages') return handleMessages(req, res, false);
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') return handleMessages(req, res, true);
    req.resume();
    if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, listModelsPage(models, url.searchParams));
    const m = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const found = models.find((x) => x.id === decodeURIComponent(m[1]));
      if (found) return sendJson(res, 200, found);
      return sendError(res, 404, `model: ${decodeURIComponent(m[1])}`, requestId);
    }
    return sendError(res, 404, 'Not found', requestId, 'not_found_error');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, 500, err.message, 'req_demo_internal');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...steps: Step[]) => void queue.push(...steps),
    setResponder: (r: Responder) => void (responder = r),
    close: async () => {
      closing.abort();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}
