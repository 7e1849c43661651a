/**
 * The per-run hook configuration each CLI is given, as data: nothing here touches the person's own
 * settings. Facts checked on the real CLIs (docs/hooks.md):
 *
 * - Claude Code (2.1.197) takes `--settings <file>`, layered over the person's settings (their hooks
 *   still run). Its hooks can be `type: "http"`: the event's JSON is POSTed to a URL and the answer
 *   read back, so no process starts per event, the bearer token is interpolated from the pane's
 *   environment (`allowedEnvVars`), and a workspace that cannot be reached (refused, timed out, not
 *   2xx) is a non-blocking error: the call goes ahead and Claude Code shows the error in its pane.
 *   SessionStart cannot be http and is not used. Its status line gets the session's cost as JSON;
 *   here the command only saves that JSON to a private file (a shell and `cat`: ~10 ms, where a node
 *   program costs ~200 ms on a loaded machine).
 * - Codex (0.171) takes hooks as config overrides (`-c hooks.<Event>=[...]`), command hooks only,
 *   and runs a hook only after the person has reviewed and trusted its exact definition once (its
 *   own "Hooks need review" dialog at start; the trust is kept in ~/.codex/config.toml by Codex).
 *   The definitions here are the same on every run, so one review lasts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A word for sh, whatever it contains. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The environment variable the hooks read the pane's token from (also the MCP client's). */
export const TOKEN_ENV = 'AGENTS_MCP_TOKEN';

/**
 * The command-hook program (report.js), found beside this module when built; a test running from
 * src/ uses the built one in dist/. Undefined when neither exists (then no command hooks are given).
 */
export function reporterScript(): string | undefined {
  const candidates = [new URL('./report.js', import.meta.url), new URL('../../dist/hooks/report.js', import.meta.url)];
  for (const u of candidates) {
    const file = fileURLToPath(u);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** The shell command that runs the reporter for `cli`. */
export function reporterCommand(script: string, cli: string): string {
  return `${shQuote(process.execPath)} ${shQuote(script)} ${cli}`;
}

/**
 * Claude Code's events that report to the workspace: the turn (prompt, tools, stop), its tool
 * permission dialogs and notifications. PreToolUse is also where a write into another task's claim is
 * refused.
 */
export const CLAUDE_EVENTS = ['UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'Notification', 'Stop', 'StopFailure'] as const;
const TOOL_EVENTS = new Set<string>(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest']);

/** Seconds Claude Code waits for the workspace's answer before going ahead without it. */
export const HOOK_TIMEOUT_S = 5;

/** Claude Code's settings for one run: its hooks POST to `hookUrl`; its status line is saved to `statusFile`. */
export function claudeSettings(o: { hookUrl: string; statusFile?: string }): object {
  const hook = {
    type: 'http',
    url: `${o.hookUrl}?cli=claude`,
    headers: { Authorization: `Bearer $${TOKEN_ENV}` },
    allowedEnvVars: [TOKEN_ENV],
    timeout: HOOK_TIMEOUT_S,
  };
  const hooks = Object.fromEntries(CLAUDE_EVENTS.map((e) => [e, [{ ...(TOOL_EVENTS.has(e) ? { matcher: '*' } : {}), hooks: [hook] }]]));
  if (!o.statusFile) return { hooks };
  // Written whole (readable by the user only) and renamed, so a reader never sees half of it. Prints
  // nothing: the footer stays empty.
  const tmp = shQuote(`${o.statusFile}.tmp`);
  return { hooks, statusLine: { type: 'command', command: `umask 077 && cat > ${tmp} && mv -f ${tmp} ${shQuote(o.statusFile)}`, padding: 0 } };
}

/**
 * Codex's events that report to the workspace. A turn starts (UserPromptSubmit) and ends (Stop, or
 * Interrupt on Esc); apply_patch is where a write into a claim is refused. Each is a node process per
 * event, so tool calls that cannot be checked (exec) are not hooked, and its dialogs are read from
 * its screen as before.
 */
export const CODEX_EVENTS: ReadonlyArray<{ event: string; matcher?: string; timeout: number }> = [
  { event: 'UserPromptSubmit', timeout: 10 },
  // Its matcher is a regular expression over the tool's name.
  { event: 'PreToolUse', matcher: '^apply_patch$', timeout: 10 },
  { event: 'Stop', timeout: 10 },
  // Codex allows an Interrupt hook 3 s at most (it clamps longer ones, with a warning).
  { event: 'Interrupt', timeout: 3 },
];

/** A TOML string (JSON's escapes are TOML's basic-string escapes). */
const toml = (s: string) => JSON.stringify(s);

/** Codex's `-c` overrides that add the workspace's hooks for one run. */
export function codexHookArgs(command: string): string[] {
  return CODEX_EVENTS.flatMap(({ event, matcher, timeout }) => {
    const m = matcher ? `matcher=${toml(matcher)},` : '';
    return ['-c', `hooks.${event}=[{${m}hooks=[{type="command",command=${toml(command)},timeout=${timeout}}]}]`];
  });
}
