/**
 * What a terminal's hello may carry beyond attaching, and the answers: command-line requests to a
 * running workspace (`agents tasks`, `agents task add`, `agents run` while it runs). Parsed by the
 * server, and by `agents tasks` for its reply; kept out of protocol.ts so that attaching does not
 * load the task board's schemas (or zod's full API).
 */
import * as z from 'zod';
import { BoardRequestSchema } from '../tasks/requests.js';
import { TaskSchema } from '../tasks/task.js';
import { COLS, ROWS } from './protocol.js';

/** What a command-line request asks of a running workspace (`agents tasks`, `agents task add`). */
export const ServerRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('tasks') }),
  z.object({ op: z.literal('board'), request: BoardRequestSchema }),
  /** `agents run WORKFLOW "goal"` while the project's workspace runs: its tasks go on that board. */
  z.object({ op: z.literal('workflow'), name: z.string().min(1), goal: z.string().min(1) }),
]);
export type ServerRequest = z.infer<typeof ServerRequestSchema>;

export const HelloSchema = z.object({
  protocol: z.number().int(),
  version: z.string().max(50),
  want: z.enum(['attach', 'info', 'stop', 'request']),
  request: ServerRequestSchema.optional(),
  cols: COLS,
  rows: ROWS,
  pid: z.number().int(),
});
export type Hello = z.infer<typeof HelloSchema>;

export const ReplySchema = z.object({ ok: z.boolean(), text: z.string(), tasks: z.array(TaskSchema).optional() });
export type Reply = z.infer<typeof ReplySchema>;
