/**
 * A task on the board, as plain zod-checked data: what is kept in the session store and given back
 * on resume. The live parts (a running check, a pending instruction) stay in the supervisor.
 *
 * States: todo -> doing (its instruction reached its owner) -> checking (the owner said it is done;
 * the check runs) -> done; a failed check sends it back to todo with the check's output, until its
 * attempts run out: then blocked. failed is a task its owner gave up on; cancelled, one the person
 * or an agent withdrew. Anything depending on a task that is not done waits.
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';

export const TASK_STATES = ['todo', 'doing', 'checking', 'done', 'failed', 'blocked', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States a task does not leave by itself. */
export const FINISHED: readonly TaskState[] = ['done', 'failed', 'cancelled'];

export const TASK_ID = /^t\d+$/;
export const DEFAULT_ATTEMPTS = 3;
/** The tail of a check's output kept with the task (and sent back to its owner on a failure). */
export const CHECK_TAIL_CHARS = 4000;

/**
 * The schemas, built on first use: the workspace server loads this module on its way to its first
 * frame, which needs none of them (a stored task is read on resume, a new one comes from a request).
 */
function build() {
  const BudgetSchema = z.strictObject({
    usd: z.number().positive().optional(),
    tokens: z.number().int().positive().optional(),
  });

  const CheckResultSchema = z.object({
    ok: z.boolean(),
    code: z.number().int().nullable(),
    /** The tail of stdout+stderr, in order. */
    output: z.string(),
    at: z.number(),
    ms: z.number(),
  });

  const TaskSchema = z.object({
    id: z.string().regex(TASK_ID),
    title: z.string().min(1).max(200),
    details: z.string().max(20_000),
    /** The pane (by name) that works on it. */
    owner: z.string().optional(),
    state: z.enum(TASK_STATES),
    deps: z.array(z.string().regex(TASK_ID)),
    /** Globs (relative to the project) only the owner may write while the task is doing. */
    claims: z.array(z.string()),
    /** A shell command run in the project when the owner completes the task; exit 0 means done. */
    check: z.string().optional(),
    /**
     * Whether the check may run unasked: set when the person, the config or a workflow gave it, or an
     * agent allowed to run commands unasked did. A check an agent made up otherwise waits for the
     * person's yes on the board (it runs a command, as run_command does).
     */
    checkApproved: z.boolean().optional(),
    attempts: z.number().int().min(0),
    maxAttempts: z.number().int().min(1),
    /** What the owner spent while the task was doing (USD; tokens). */
    cost: z.number().min(0),
    tokens: z.number().int().min(0),
    /** False once any of the owner's usage had no known price (the figure is then a lower bound). */
    priced: z.boolean(),
    budget: BudgetSchema.optional(),
    /** The owner's summary when it completed the task. */
    result: z.string().optional(),
    /** Why it is blocked, failed or was sent back (the check's verdict, a reviewer's comments, a budget). */
    note: z.string().optional(),
    /** Why its instruction has not reached its owner yet (kept apart from `note`, which the owner is told). */
    undelivered: z.string().optional(),
    lastCheck: CheckResultSchema.optional(),
    /** Who created it: 'you' (the person) or an agent's name. */
    createdBy: z.string(),
    createdAt: z.number(),
    updatedAt: z.number(),
    /** Set for a step of a workflow: its name and the step's role; a review step sends work back. */
    workflow: z.object({ name: z.string(), role: z.string(), review: z.boolean().optional() }).optional(),
  });

  /** What it takes to create a task (from a tool, the board, the command line or a workflow). */
  const NewTaskSchema = z.strictObject({
    title: z.string().trim().min(1, 'a task needs a title').max(200),
    details: z.string().max(20_000).optional(),
    to: z.string().min(1).optional(),
    after: z.array(z.string().regex(TASK_ID, 'task ids look like t1')).optional(),
    check: z.string().min(1).optional(),
    claims: z.array(z.string().min(1)).optional(),
    maxAttempts: z.number().int().min(1).max(20).optional(),
    budget: BudgetSchema.optional(),
  });
  return { BudgetSchema, CheckResultSchema, TaskSchema, NewTaskSchema };
}
type Schemas = ReturnType<typeof build>;
export const taskSchemas = lazy(build);

export type Budget = z.infer<Schemas['BudgetSchema']>;
export type CheckResult = z.infer<Schemas['CheckResultSchema']>;
export type Task = z.infer<Schemas['TaskSchema']>;
export type NewTask = z.infer<Schemas['NewTaskSchema']>;

export function isFinished(t: Task): boolean {
  return FINISHED.includes(t.state);
}
