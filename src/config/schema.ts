// The config file `agents.config.json`. This file is the one source of the config's types and
// defaults; loaders and the CLI read them from here. Objects are strict so a misspelt key is reported
// instead of being ignored.
import * as z from 'zod';

import { lazy } from '../util/lazy.js';
import { LAYOUTS, PRESET_NAMES, type Layout } from './names.js';

export { LAYOUTS, PRESET_NAMES, type Layout, type PresetName } from './names.js';

export const CONFIG_FILE_NAME = 'agents.config.json';

/** How an agent's files relate to the others': one shared tree (the default), or a git worktree of its own. */
export const ISOLATIONS = ['shared', 'worktree'] as const;
export type Isolation = (typeof ISOLATIONS)[number];
export const DEFAULT_ISOLATION: Isolation = 'shared';

export const MERGE_MODES = ['merge', 'ff', 'squash'] as const;

export const AGENT_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
export const AGENT_NAME_MAX = 32;

/**
 * What a config with nothing set holds: the schema's defaults are taken from here, and
 * `defaultConfig()` returns it without building the schema. A new object each time: callers (and
 * zod, for its defaults) may change theirs.
 */
function defaults() {
  return {
    theme: 'dark',
    layout: 'tiled' as Layout,
    prefix: 'ctrl+a',
    keys: {} as Record<string, string | string[]>,
    watch: { ignore: [] as string[] },
    mouse: true,
    attention: { bell: true },
    worktree: { copy: ['.env*'], setup: [] as string[], merge: 'merge' as (typeof MERGE_MODES)[number] },
    roles: {},
    workflows: {},
    maxAgents: 8,
    tasks: { attempts: 3, checkTimeoutMinutes: 10, askTimeoutMinutes: 30, errorsInARow: 3, sameToolErrors: 3, stallMinutes: 20 },
  };
}

/**
 * The schemas, built on first use (the config's load, or the defaults), not when a module imports
 * this one for a name or a type: ~120 zod objects, 1.0-1.5 ms to build in a warm process, ~10 ms
 * as the first zod schemas a fresh one builds (measured).
 */
function build() {
  const D = defaults();
  const agentName = z
    .string()
    .min(1, 'expected a non-empty name')
    .max(AGENT_NAME_MAX, `expected at most ${AGENT_NAME_MAX} characters`)
    // `*` not `+`: an empty name gets only the min(1) message.
    .regex(/^[A-Za-z0-9_-]*$/, 'expected only letters, digits, - and _');

  const BudgetConfigSchema = z.strictObject({
    usd: z.number().positive('expected a positive amount of USD').optional(),
    tokens: z.number().int().positive('expected a positive number of tokens').optional(),
  });

  const AgentEntrySchema = z
    .strictObject({
      name: agentName,
      preset: z.enum(PRESET_NAMES).optional(),
      command: z.string().min(1, 'expected a non-empty command').optional(),
      args: z.array(z.string()).optional(),
      /** Relative to the folder holding the config file. */
      cwd: z.string().min(1, 'expected a non-empty path').optional(),
      env: z.record(z.string(), z.string()).optional(),
      model: z.string().optional(),
      instructions: z.string().optional(),
      /** Built-in agents: which tool calls run without asking (default auto-edit: file tools run, commands ask). */
      permissions: z.enum(['ask', 'auto-edit', 'auto']).optional(),
      /** "worktree": the agent works in a git worktree of its own on branch agents/<name>; absent means "shared". */
      isolation: z.enum(ISOLATIONS).optional(),
      /** A role from `roles` (its standing instructions); workflows hand their steps to agents by role. */
      role: z.string().min(1).optional(),
      /** What this agent may spend: at 80% the person is told, at 100% it is interrupted and paused. */
      budget: BudgetConfigSchema.optional(),
    })
    .superRefine((entry, ctx) => {
      // A discriminated union would report both branches' errors for one typo; one rule reads better.
      if (entry.preset !== undefined && entry.command !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected either "preset" or "command", found both',
          path: [],
        });
      } else if (entry.preset === undefined && entry.command === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected either "preset" or "command", found neither',
          path: [],
        });
      }
    });

  // A glob is matched inside the project folder; one that starts at / or climbs out with .. would
  // copy files from elsewhere into every worktree.
  const copyGlob = z
    .string()
    .min(1, 'expected a glob like ".env*"')
    .refine((g) => !g.startsWith('/') && !g.split('/').includes('..'), 'expected a glob inside the project (no leading "/" and no "..")');

  const WorktreeConfigSchema = z.strictObject({
    /** Ignored files copied from the project into each new worktree. */
    copy: z.array(copyGlob).default(() => defaults().worktree.copy),
    /** Commands run in the agent's pane, in its worktree, before the agent starts (e.g. "npm ci"). */
    setup: z.array(z.string().min(1, 'expected a command')).default(() => []),
    /** Where worktrees are made, relative to the project folder; default: under the data folder. */
    dir: z.string().min(1, 'expected a folder').optional(),
    /** How prefix+m brings a worktree's branch into its base: a merge commit, fast-forward only, or one squashed commit. */
    merge: z.enum(MERGE_MODES).default(D.worktree.merge),
    /** The branch worktrees start from and merge into; default: the branch checked out in the project. */
    base: z.string().min(1, 'expected a branch name').optional(),
  });
  const RoleSchema = z.strictObject({
    /** Standing instructions for an agent in this role. */
    instructions: z.string().min(1, 'expected the role\'s instructions'),
    /** The preset a workflow opens for this role when no agent has it (default: the built-in agent). */
    preset: z.enum(PRESET_NAMES).optional(),
  });

  const WorkflowStepSchema = z.strictObject({
    role: z.string().min(1, 'expected a role name'),
    /** The step's task title; {goal} stands for the goal given to `agents run`. */
    title: z.string().min(1, 'expected a title'),
    details: z.string().optional(),
    /** Run when the step's owner completes it; exit 0 passes. */
    check: z.string().min(1).optional(),
    claims: z.array(z.string().min(1)).optional(),
    /** A review step is given the files the step before it changed, and may send that step back. */
    review: z.boolean().optional(),
  });

  const WorkflowSchema = z.strictObject({
    description: z.string().optional(),
    steps: z.array(WorkflowStepSchema).min(1, 'expected at least one step'),
  });

  const keyBinding = z.union([z.string(), z.array(z.string())], {
    error: 'expected a key like "z" or a list of keys',
  });

  const ConfigSchema = z.strictObject({
    theme: z.string().min(1, 'expected a theme name').default(D.theme),
    layout: z.enum(LAYOUTS).default(D.layout),
    prefix: z.string().min(1, 'expected a key like "ctrl+a"').default(D.prefix),
    agents: z
      .array(AgentEntrySchema)
      .superRefine((agents, ctx) => {
        const seen = new Map<string, number>();
        agents.forEach((agent, i) => {
          const first = seen.get(agent.name);
          if (first === undefined) {
            seen.set(agent.name, i);
            return;
          }
          ctx.addIssue({
            code: 'custom',
            message: `expected a unique name, found "${agent.name}" again (first used by agents[${first}])`,
            path: [i, 'name'],
          });
        });
      })
      .optional(),
    /** Command name (e.g. "pane.zoom") -> key or keys; the keymap checks the names and keys. */
    keys: z.record(z.string(), keyBinding).default(() => defaults().keys),
    watch: z
      .strictObject({
        ignore: z.array(z.string()).default(() => []),
      })
      .default(() => defaults().watch),
    /** Click to focus, wheel to scroll, mouse events for programs that want them. Off: the terminal's own selection without Shift. */
    mouse: z.boolean().default(D.mouse),
    /** When an agent starts waiting for the person: ring the terminal bell, and/or run a command. */
    attention: z
      .strictObject({
        bell: z.boolean().default(D.attention.bell),
        /** Run with AGENTS_ATTENTION_AGENT and AGENTS_ATTENTION_STATE in its environment. */
        command: z.string().min(1, 'expected a command').optional(),
      })
      .default(() => defaults().attention),
    worktree: WorktreeConfigSchema.default(() => defaults().worktree),
    /** Standing instructions by role name (the defaults ship lead, implementer, reviewer, tester). */
    roles: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected a role name of letters, digits, - and _'), RoleSchema).default(() => defaults().roles),
    /** Chains of roles: `agents run NAME "goal"` creates their tasks, each waiting for the one before. */
    workflows: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected a workflow name of letters, digits, - and _'), WorkflowSchema).default(() => defaults().workflows),
    /** What the whole workspace may spend: at 80% the person is told, at 100% every agent is paused. */
    budget: BudgetConfigSchema.optional(),
    /** The most panes agents may open with spawn_agent (the person's own are not counted against it). */
    maxAgents: z.number().int().min(1).max(32).default(D.maxAgents),
    tasks: z
      .strictObject({
        /** How often a task goes back to its owner (a failed check, a review) before it is blocked. */
        attempts: z.number().int().min(1).max(20).default(D.tasks.attempts),
        checkTimeoutMinutes: z.number().positive().default(D.tasks.checkTimeoutMinutes),
        /** How long ask_human waits for the person before the agent is told to decide itself. */
        askTimeoutMinutes: z.number().positive().default(D.tasks.askTimeoutMinutes),
        /** An agent is paused and the person told after this many failed turns in a row ... */
        errorsInARow: z.number().int().min(1).default(D.tasks.errorsInARow),
        /** ... or the same tool error this many times in one turn ... */
        sameToolErrors: z.number().int().min(2).default(D.tasks.sameToolErrors),
        /** ... or no change to any file and no task move for this long while its task is doing. */
        stallMinutes: z.number().positive().default(D.tasks.stallMinutes),
      })
      .default(() => defaults().tasks),
  });
  return { BudgetConfigSchema, AgentEntrySchema, WorktreeConfigSchema, RoleSchema, WorkflowStepSchema, WorkflowSchema, ConfigSchema };
}
type Schemas = ReturnType<typeof build>;
export const configSchemas = lazy(build);

export type AgentEntry = z.output<Schemas['AgentEntrySchema']>;
export type WorktreeConfig = z.output<Schemas['WorktreeConfigSchema']>;
export type Config = z.output<Schemas['ConfigSchema']>;
export type ConfigInput = z.input<Schemas['ConfigSchema']>;

/**
 * The config used when the project has no config file: the defaults, without building the schema
 * (the first zod a fresh process builds: ~10 ms on a workspace's way to its first frame).
 */
export function defaultConfig(): Config {
  return defaults();
}
