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
import { protocolSchemas } from './protocol.js';

/**
 * The schemas, built on first use. The hello is checked on the workspace server's way to its first
 * frame (the terminal's hello), and builds its `request` (the task board's schemas) only when a
 * hello carries one.
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

function buildHello() {
  const { COLS, ROWS } = protocolSchemas();
  return z.object({
    protocol: z.number().int(),
    version: z.string().max(50),
    want: z.enum(['attach', 'info', 'stop', 'request']),
    request: z.lazy(() => requestSchemas().ServerRequestSchema).optional(),
    cols: COLS,
    rows: ROWS,
    pid: z.number().int(),
  });
}
export const helloSchema = lazy(buildHello);
export type Hello = z.infer<ReturnType<typeof buildHello>>;
