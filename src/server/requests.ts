/**
 * What a terminal's hello may carry beyond attaching, and the answers: command-line requests to a
 * running workspace (`agents tasks`, `agents task add`, `agents run` while it runs). Parsed by the
 * server, and by `agents tasks` for its reply; kept out of protocol.ts so that attaching does not
 * load the task board's schemas (or zod's full API).
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';
import { boardRequestSchema } from '../tasks/requests.js';
import { taskSchemas } from '../tasks/task.js';
import { parseBody, sizeSchemas } from './protocol.js';

/**
 * The schemas, built on first use: by a hello that carries a request, by `agents tasks` for its reply.
 */
function build() {
  /** What a command-line request asks of a running workspace (`agents tasks`, `agents task add`). */
  const ServerRequestSchema = z.discriminatedUnion('op', [
    z.object({ op: z.literal('tasks') }),
    z.object({ op: z.literal('board'), request: boardRequestSchema() }),
    /** `agents run WORKFLOW "goal"` while the project's workspace runs: its tasks go on that board. */
    z.object({ op: z.literal('workflow'), name: z.string().min(1), goal: z.string().min(1) }),
  ]);
  const ReplySchema = z.object({ ok: z.boolean(), text: z.string(), tasks: z.array(taskSchemas().TaskSchema).optional() });
  return { ServerRequestSchema, ReplySchema };
}
type Schemas = ReturnType<typeof build>;
export const requestSchemas = lazy(build);
export type ServerRequest = z.infer<Schemas['ServerRequestSchema']>;
export type Reply = z.infer<Schemas['ReplySchema']>;

/** A hello's own fields; its `request` is checked apart (parseHello). */
const helloSchema = lazy(() => {
  const { COLS, ROWS } = sizeSchemas();
  return z.object({
    protocol: z.number().int(),
    version: z.string().max(50),
    want: z.enum(['attach', 'info', 'stop', 'request']),
    request: z.unknown().optional(),
    cols: COLS,
    rows: ROWS,
    pid: z.number().int(),
    /** The client's output is a terminal the server may draw to itself (src/server/direct.ts). */
    direct: z.boolean().optional(),
  });
});
export type Hello = Omit<z.infer<ReturnType<typeof helloSchema>>, 'request'> & { request?: ServerRequest };

/**
 * A terminal's hello, or undefined when it is not one (a request that is not one included). Its
 * request is checked only when it carries one: every attach's hello is read on the workspace
 * server's way to its first frame, and the request's schema is the task board's (2-3 ms of a profiled server start to build).
 */
export function parseHello(body: Buffer): Hello | undefined {
  const h = parseBody(helloSchema(), body);
  if (!h) return undefined;
  const { request, ...rest } = h;
  if (request === undefined) return rest;
  const r = requestSchemas().ServerRequestSchema.safeParse(request, { jitless: true });
  return r.success ? { ...rest, request: r.data } : undefined;
}
