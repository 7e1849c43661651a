/**
 * What an agent CLI's hooks tell the workspace, read from the JSON a hook gets on stdin (Claude Code,
 * Codex) and turned into what the workspace needs: the pane's activity, and the files a tool call is
 * about to write (so a write into another task's claim can be refused before it happens).
 *
 * The input shapes were checked on the real CLIs (docs/hooks.md has the versions and what each event
 * carried). Only the fields read here are validated; the CLIs add fields freely, which are ignored.
 * Pure: no I/O.
 */
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import type { ActivityState } from '../workspace/activity.js';
import { lazy } from '../util/lazy.js';

/** The CLIs whose hooks report to the workspace. */
export const HOOK_CLIS = ['claude', 'codex'] as const;
export type HookCli = (typeof HOOK_CLIS)[number];

/** The fields of a hook's input the workspace reads (both CLIs use these names). Built at the first hook event. */
const hookInputSchema = lazy(() =>
  z.looseObject({
    hook_event_name: z.string().min(1).max(64),
    cwd: z.string().max(4096).optional(),
    tool_name: z.string().max(256).optional(),
    tool_input: z.unknown().optional(),
    notification_type: z.string().max(64).optional(),
  }),
);

/** One hook event, as the workspace takes it in. */
export interface HookEvent {
  cli: HookCli;
  /** The CLI's event name: UserPromptSubmit, PreToolUse, Stop, Interrupt, ... */
  name: string;
  tool?: string;
  input?: unknown;
  notification?: string;
  /** The CLI's working folder, which relative paths in a tool's input are relative to. */
  cwd?: string;
}

export class HookInputError extends Error {
  readonly kind = 'hook-input';
}

/** Reads a hook's input; throws HookInputError naming what is wrong. */
export function parseHookEvent(cli: HookCli, raw: unknown): HookEvent {
  const r = hookInputSchema().safeParse(raw);
  if (!r.success) throw new HookInputError(`not a ${cli} hook event: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const j = r.data;
  return { cli, name: j.hook_event_name, tool: j.tool_name, input: j.tool_input, notification: j.notification_type, cwd: j.cwd };
}

/**
 * What each event says the CLI is doing. A turn runs from the prompt (busy) to Stop (idle); a tool
 * permission dialog is `waiting` until the next event. Claude Code reports no event when a turn is
 * interrupted (Esc) or a permission dialog is answered; Codex has `Interrupt`. Events not listed say
 * nothing about the state (SessionStart, SubagentStop, PreCompact, ...).
 */
const EVENT_STATES: Readonly<Record<string, ActivityState>> = {
  UserPromptSubmit: 'busy',
  PreToolUse: 'busy',
  PostToolUse: 'busy',
  PostToolUseFailure: 'busy',
  PermissionRequest: 'waiting',
  Stop: 'idle',
  // An API error ended the turn (Claude Code).
  StopFailure: 'idle',
  // Esc ended the turn (Codex).
  Interrupt: 'idle',
};

/**
 * Claude Code's notifications: a permission dialog still open after 6 s, an MCP server asking the
 * person something, and "waiting for your input" after 60 s at the prompt.
 */
const NOTIFICATION_STATES: Readonly<Record<string, ActivityState>> = {
  permission_prompt: 'waiting',
  elicitation_dialog: 'waiting',
  idle_prompt: 'idle',
};

/** The activity an event reports, or undefined when it says nothing about it. */
export function hookState(e: HookEvent): { state: ActivityState; reason: string } | undefined {
  const state = e.name === 'Notification' ? NOTIFICATION_STATES[e.notification ?? ''] : EVENT_STATES[e.name];
  if (!state) return undefined;
  return { state, reason: `${e.cli}:${e.name}${e.name === 'Notification' ? `:${e.notification}` : ''}` };
}

const toolInputSchema = lazy(() => z.record(z.string(), z.unknown()));

/** A non-empty string field of a tool's input. */
function field(input: unknown, key: string): string | undefined {
  const r = toolInputSchema().safeParse(input);
  const v = r.success ? r.data[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The files in an apply_patch (Codex): its envelope names each file it adds, updates, deletes or moves
 * to on a line of its own ("*** Update File: src/a.ts", "*** Move to: src/b.ts").
 */
export function patchPaths(patch: string): string[] {
  const out: string[] = [];
  for (const m of patch.matchAll(/^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+?)\s*$/gm)) out.push(m[1]);
  return out;
}

/**
 * The files a tool call would write, absolute. Claude Code: Write, Edit and MultiEdit (file_path),
 * NotebookEdit (notebook_path); Codex: apply_patch (the paths in its patch). What a shell command
 * writes cannot be known before it runs, so Bash (and any other tool) gives none.
 */
export function writtenPaths(e: HookEvent): string[] {
  const input = e.input;
  let paths: string[] = [];
  switch (e.tool) {
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      paths = [field(input, 'file_path')].filter((p) => p !== undefined);
      break;
    case 'NotebookEdit':
      paths = [field(input, 'notebook_path')].filter((p) => p !== undefined);
      break;
    case 'apply_patch': {
      // Codex passes the patch as `command` (0.171); `input` and `patch` are accepted too.
      const patch = field(input, 'command') ?? field(input, 'input') ?? field(input, 'patch') ?? (typeof input === 'string' ? input : undefined);
      paths = patch ? patchPaths(patch) : [];
      break;
    }
  }
  const base = e.cwd && isAbsolute(e.cwd) ? e.cwd : undefined;
  const abs = paths.flatMap((p) => (isAbsolute(p) ? [resolve(p)] : base ? [resolve(base, p)] : []));
  return [...new Set(abs)];
}

/** The answer to a PreToolUse hook that refuses the call: the same JSON for Claude Code and Codex; `reason` is what the model sees. */
export function denyAnswer(reason: string): object {
  return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } };
}
