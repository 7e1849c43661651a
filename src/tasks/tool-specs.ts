/**
 * The task board's tools, described once for both kinds of agents: the built-in agent's tools
 * (src/agent/board-tools.ts) and external CLIs' MCP tools (src/mcp/board-tools.ts). Each turns its
 * input into a BoardRequest the workspace answers.
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';
import type { BoardRequest } from './requests.js';

export interface BoardToolSpec {
  name: 'create_task' | 'list_tasks' | 'update_task' | 'complete_task' | 'spawn_agent' | 'ask_human';
  title: string;
  description: string;
  signature: string;
  schema: z.ZodObject;
  /** Whether it only reads or records (no approval needed), or starts something that spends (spawn_agent). */
  kind: 'read' | 'exec';
  request(input: Record<string, unknown>): BoardRequest;
}

function spec<S extends z.ZodObject>(s: Omit<BoardToolSpec, 'schema' | 'request'> & { schema: S; request(input: z.output<S>): BoardRequest }): BoardToolSpec {
  return { ...s, request: (input) => s.request(s.schema.parse(input)) };
}

/**
 * The tools, built on first use: their input schemas are wanted when a built-in agent starts or an
 * external CLI opens an MCP session, never on the workspace server's way to its first frame.
 */
function build(): BoardToolSpec[] {
  const taskId = z.string().regex(/^t\d+$/, 'task ids look like t1').describe('The task id, e.g. t3.');
  const paths = z.array(z.string().min(1)).describe('Globs relative to the project (src/cart.js, src/cart/**): only the owner may write them while it works on the task.');

  const CreateTaskInput = z.strictObject({
    title: z.string().min(1).max(200).describe('What is to be done, in a few words.'),
    details: z.string().max(20_000).optional().describe('Everything the agent needs: the goal, the files, what done looks like.'),
    to: z.string().min(1).optional().describe('The agent (pane name) that does it.'),
    after: z.array(taskId).optional().describe('Tasks that must be done first; their summaries are given to this one.'),
    check: z.string().min(1).optional().describe('A shell command run in the project when the task is completed, e.g. "npm test".'),
    claims: paths.optional(),
  });
  const UpdateTaskInput = z.strictObject({
    id: taskId,
    title: z.string().min(1).max(200).optional(),
    details: z.string().max(20_000).optional(),
    to: z.string().min(1).optional(),
    after: z.array(taskId).optional(),
    check: z.string().optional(),
    claims: paths.optional(),
    state: z.enum(['failed', 'cancelled']).optional(),
    reason: z.string().max(2000).optional(),
  });
  const CompleteTaskInput = z.strictObject({
    id: taskId,
    summary: z.string().min(1).max(4000).describe('What you did and where, in a few sentences.'),
    changes: z.string().min(1).max(4000).optional().describe('For a review: what must be fixed; sends the reviewed work back.'),
  });
  const SpawnAgentInput = z.strictObject({
    preset: z.string().min(1),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ (at most 32)'),
    role: z.string().min(1).optional(),
    worktree: z.boolean().optional().describe('Give it a git worktree of its own (a branch agents/NAME), isolated from the others.'),
  });
  const AskHumanInput = z.strictObject({
    question: z.string().min(1).max(2000),
    choices: z.array(z.string().min(1).max(200)).max(9).optional().describe('Answers to pick from, if it is a choice.'),
  });

  return [
    spec({
      name: 'create_task',
      title: 'Create a task',
      kind: 'read',
      signature: '{title, details?, to?, after?, check?, claims?}',
      description:
        'Put a task on the workspace task board for an agent by name. The workspace gives it to that agent as an instruction ' +
        '(starting "Task tN: ...") as soon as the agent is idle and every task in `after` is done, runs `check` when the agent ' +
        'completes it (exit 0 = done; a failure goes back to the agent with the output, up to the attempt limit), and tells you ' +
        'at your next turn when it is done or blocked. Returns the new task id.',
      schema: CreateTaskInput,
      request: (input) => ({ op: 'create_task', ...input }),
    }),
    spec({
      name: 'list_tasks',
      title: 'List the tasks',
      kind: 'read',
      signature: '{}',
      description: 'The task board: every task with its state (todo, doing, checking, done, failed, blocked, cancelled), owner, dependencies, attempts, cost and last check.',
      schema: z.strictObject({}),
      request: () => ({ op: 'list_tasks' }),
    }),
    spec({
      name: 'update_task',
      title: 'Update a task',
      kind: 'read',
      signature: '{id, title?, details?, to?, after?, check?, claims?, state?, reason?}',
      description: 'Change a task that is not finished: its title, details, owner, dependencies, check or claims; or give it up (state "failed", with the reason) or withdraw it (state "cancelled").',
      schema: UpdateTaskInput,
      request: (input) => ({ op: 'update_task', ...input }),
    }),
    spec({
      name: 'complete_task',
      title: 'Complete a task',
      kind: 'read',
      signature: '{id, summary, changes?}',
      description:
        'Say that your task is done, with a short summary of what you did (given to whoever waits for it). Its check then runs; ' +
        'if it fails you get the task back with the output. A review task may pass `changes` instead, to send the work it reviewed back to its author with what to fix.',
      schema: CompleteTaskInput,
      request: (input) => ({ op: 'complete_task', ...input }),
    }),
    spec({
      name: 'spawn_agent',
      title: 'Open an agent',
      // Opening an agent starts a program that spends money: asked like a command unless the policy is auto.
      kind: 'exec',
      signature: '{preset, name, role?, worktree?}',
      description:
        'Open a new agent in its own pane, to give tasks to by name: preset "agent" (a built-in agent), "claude", "codex" or "gemini". ' +
        'A role (lead, implementer, reviewer, tester, or one from the config) gives it standing instructions. The workspace limits how many agents may be opened.',
      schema: SpawnAgentInput,
      request: (input) => ({ op: 'spawn_agent', ...input }),
    }),
    spec({
      name: 'ask_human',
      title: 'Ask the person',
      kind: 'read',
      signature: '{question, choices?}',
      description: 'Ask the person a question only they can answer (a decision, a preference, access). Waits for the answer; the person is alerted. Use sparingly.',
      schema: AskHumanInput,
      request: (input) => ({ op: 'ask_human', ...input }),
    }),
  ];
}
export const boardToolSpecs = lazy(build);
