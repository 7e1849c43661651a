/**
 * The workspace's side of a hook event: tie it to the pane whose token sent it, let the workspace
 * take it in (its status), and answer a PreToolUse with the workspace's decision on the files the
 * call would write. The HTTP endpoint (src/mcp/server.ts, POST /hook) authenticates the pane; this
 * only decides. No state of its own.
 */
import type { WorkspaceInput } from '../workspace/events.js';
import { denyAnswer, HOOK_CLIS, HookInputError, parseHookEvent, writtenPaths, type HookCli } from './hook-event.js';

/** What answering a hook needs of the workspace. */
export interface HookTarget {
  /** The id of the pane named `agent`, if it is open. */
  paneOf(agent: string): number | undefined;
  dispatch(input: WorkspaceInput): void;
  checkWrite(agent: string, paths: readonly string[]): string | undefined;
}

export function isHookCli(s: string | null): s is HookCli {
  return (HOOK_CLIS as readonly string[]).includes(s ?? '');
}

/**
 * Takes one event from `agent`'s CLI and returns the JSON answer: `{}` (no opinion: go ahead), or a
 * PreToolUse refusal. Throws HookInputError for input that is not a hook event.
 */
export function answerHook(target: HookTarget, agent: string, cli: string | null, body: unknown): object {
  if (!isHookCli(cli)) throw new HookInputError(`unknown CLI ${JSON.stringify(cli)}: expected one of ${HOOK_CLIS.join(', ')}`);
  const event = parseHookEvent(cli, body);
  const pane = target.paneOf(agent);
  // A pane closed meanwhile: nothing to report to, nothing to refuse.
  if (pane === undefined) return {};
  target.dispatch({ t: 'hook', pane, event });
  if (event.name !== 'PreToolUse') return {};
  const refusal = target.checkWrite(agent, writtenPaths(event));
  return refusal === undefined ? {} : denyAnswer(refusal);
}
