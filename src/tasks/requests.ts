/**
 * What agents (and the person, and the command line) ask of the task board: one typed vocabulary
 * for the built-in agents' tools (over IPC), external CLIs' MCP tools, the board's keys and
 * `agents task add`. Each request gets a plain-text answer written for a model to read.
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';
import { TASK_ID, taskSchemas } from './task.js';

/**
 * The schema, built on first use: the workspace server loads this module (through the agent channel
 * and the MCP tools) on its way to its first frame; the first request comes later.
 */
function build() {
  const { BudgetSchema, NewTaskSchema } = taskSchemas();
  const id = z.string().regex(TASK_ID, 'task ids look like t1');
  return z.discriminatedUnion('op', [
    NewTaskSchema.extend({ op: z.literal('create_task') }),
    z.strictObject({ op: z.literal('list_tasks') }),
    z.strictObject({
      op: z.literal('update_task'),
      id,
      title: z.string().trim().min(1).max(200).optional(),
      details: z.string().max(20_000).optional(),
      to: z.string().min(1).optional(),
      after: z.array(id).optional(),
      check: z.string().optional(),
      claims: z.array(z.string().min(1)).optional(),
      /** Give up on it (failed) or withdraw it (cancelled). */
      state: z.enum(['failed', 'cancelled']).optional(),
      reason: z.string().max(2000).optional(),
    }),
    z.strictObject({
      op: z.literal('complete_task'),
      id,
      summary: z.string().max(4000),
      /** A review step: send the work it reviewed back with these comments instead of passing it. */
      changes: z.string().max(4000).optional(),
    }),
    z.strictObject({
      op: z.literal('spawn_agent'),
      preset: z.string().min(1),
      name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a name of letters, digits, - and _ (at most 32)'),
      role: z.string().min(1).optional(),
      worktree: z.boolean().optional(),
    }),
    z.strictObject({
      op: z.literal('ask_human'),
      question: z.string().trim().min(1).max(2000),
      choices: z.array(z.string().min(1).max(200)).max(9).optional(),
    }),
    // The person's own moves, from the board's keys or the command line.
    z.strictObject({ op: z.literal('retry'), id }),
    z.strictObject({ op: z.literal('raise_budget'), id, budget: BudgetSchema }),
  ]);
}
export const boardRequestSchema = lazy(build);
export type BoardRequest = z.infer<ReturnType<typeof build>>;

export interface BoardAnswer {
  ok: boolean;
  text: string;
  /** The task a request made or changed. */
  task?: string;
}
