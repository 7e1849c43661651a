/**
 * The workspace server <-> terminal client protocol, over the server's unix socket. Frames are
 * binary so terminal bytes pass untouched (JSON would escape every ESC): one byte of type, four of
 * length (big-endian), then the payload. Control messages carry JSON, checked with zod on arrival;
 * `input` (keys, client to server) and `output` (screen bytes, server to client) carry raw UTF-8.
 *
 * A connection starts with the client's `hello` (its protocol and program version, its terminal
 * size, what it wants: attach, a status query, or a stop); the server answers `welcome` or
 * `refuse` (another version: a clear message instead of garbage). It ends with `bye` saying why.
 */
// zod/mini: the terminal client parses these, and attaching should not pay for loading zod's full
// API (~30 ms of a bare attach, measured); the schemas and checks are the same. What only the server
// or `agents tasks` parses (hellos with board requests, replies with tasks) is in requests.ts.
import * as z from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
import { lazy } from '../util/lazy.js';

export const PROTOCOL_VERSION = 1;

export const FRAME = {
  hello: 1,
  input: 2,
  resize: 3,
  detach: 4,
  /** The client's terminal modes are on: a server drawing straight to its screen may start (direct.ts). */
  ready: 5,
  welcome: 16,
  refuse: 17,
  output: 18,
  bye: 19,
  info: 20,
  reply: 21,
} as const;
export type FrameType = keyof typeof FRAME;
const NAME_OF = new Map<number, FrameType>(Object.entries(FRAME).map(([k, v]) => [v, k as FrameType]));

/**
 * The schemas, built on first use, in two sets: the terminal's size is what the workspace server
 * checks on its way to its first frame (a hello, then resizes); the rest the terminal checks.
 */
function buildSize() {
  /** A terminal's size, as hellos and resizes give it. */
  const COLS = z.number().check(z.int(), z.minimum(1), z.maximum(2000));
  const ROWS = z.number().check(z.int(), z.minimum(1), z.maximum(1000));
  return { COLS, ROWS, ResizeSchema: z.object({ cols: COLS, rows: ROWS }) };
}
export const sizeSchemas = lazy(buildSize);

function build() {
  const WelcomeSchema = z.object({ id: z.string(), project: z.string(), version: z.string(), mouse: z.boolean(), direct: z.optional(z.boolean()), keys: z.optional(z.boolean()) });
  const RefuseSchema = z.object({ message: z.string() });
  const ByeSchema = z.object({ reason: z.enum(['detached', 'quit', 'stopped', 'crashed', 'replaced']), message: z.string() });

  const InfoSchema = z.object({
    id: z.string(),
    project: z.string(),
    pid: z.number().check(z.int()),
    version: z.string(),
    since: z.number(),
    clients: z.number().check(z.int()),
    cost: z.number(),
    priced: z.boolean(),
    simulated: z.optional(z.boolean()),
    panes: z.array(z.object({ name: z.string(), status: z.string() })),
  });
  return { WelcomeSchema, RefuseSchema, ByeSchema, InfoSchema };
}
type Schemas = ReturnType<typeof build>;
export const protocolSchemas = lazy(build);
export type Bye = z.infer<Schemas['ByeSchema']>;
export type Info = z.infer<Schemas['InfoSchema']>;

/** One message: its type, its length and its payload (bytes as they are, a string as UTF-8, else JSON), in one buffer. */
export function frame(type: FrameType, payload: string | Uint8Array | object = ''): Buffer {
  if (payload instanceof Uint8Array) {
    const out = Buffer.allocUnsafe(5 + payload.length);
    out[0] = FRAME[type];
    out.writeUInt32BE(payload.length, 1);
    out.set(payload, 5);
    return out;
  }
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const out = Buffer.allocUnsafe(5 + Buffer.byteLength(text, 'utf8'));
  out[0] = FRAME[type];
  out.writeUInt32BE(out.length - 5, 1);
  out.write(text, 5, 'utf8');
  return out;
}

export class FrameError extends Error {
  readonly kind = 'frame' as const;
}

/**
 * Splits a byte stream into frames. `limit` caps one frame's payload (it may be raised once the peer
 * is known, e.g. after a valid hello); a bigger or unknown frame is an error, and the connection is
 * to be dropped.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(public limit: number) {}

  push(chunk: Buffer): Array<{ type: FrameType; body: Buffer }> {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Array<{ type: FrameType; body: Buffer }> = [];
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    let at = 0;
    while (buf.length - at >= 5) {
      const type = NAME_OF.get(buf[at]);
      if (!type) throw new FrameError(`unknown frame type ${buf[at]}`);
      const len = buf.readUInt32BE(at + 1);
      if (len > this.limit) throw new FrameError(`a ${type} frame of ${len} bytes is over the limit of ${this.limit}`);
      if (buf.length - at - 5 < len) break;
      out.push({ type, body: buf.subarray(at + 5, at + 5 + len) });
      at += 5 + len;
    }
    buf = buf.subarray(at);
    this.chunks = buf.length ? [buf] : [];
    this.size = buf.length;
    return out;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.size;
  }
}

/**
 * A JSON payload checked against its schema (zod's full API or zod/mini alike); undefined when it is
 * not. jitless: each schema here checks a few messages per connection (a hello, resizes), and zod's
 * compiled fast path, made at a schema's first parse, costs more than it saves on so few.
 */
export function parseBody<S extends $ZodType>(schema: S, body: Buffer): output<S> | undefined {
  try {
    const r = z.safeParse(schema, JSON.parse(body.toString('utf8')), { jitless: true });
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
