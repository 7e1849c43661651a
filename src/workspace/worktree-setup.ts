/**
 * `worktree.setup` in the agent's own pane: the pane's program is wrapped in a small /bin/sh script
 * that runs each setup command in the worktree (its output shows in the pane as it comes), then
 * `exec`s the agent, so the agent keeps the pane's process (its pid, its session, its signals).
 *
 * Invariants:
 * - A command that fails stops the setup: the pane says which one and with what status, says the
 *   agent was not started and how to run the setup again (restarting the pane), and the script exits
 *   with that status, so the title shows the failure too.
 * - Setup runs once per worktree: after the last command succeeds, a marker goes into the
 *   worktree's own git folder (`git rev-parse --git-path`), which git removes with the worktree.
 *   A restart or a resumed session skips a setup that succeeded; one that failed runs again.
 * - Setup commands get the environment the person configured for the agent, not the workspace's
 *   channels to it (`withhold`: the IPC and MCP addresses and tokens): an install script run by
 *   `npm ci` has no business with the agent's credentials.
 * - Commands go to the script as arguments, never spliced into its text; what is shown of them is
 *   `printable` (a config value may hold escape sequences).
 */
import { printable } from '../util/safe-text.js';

export interface ProcessLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface SetupPlan {
  commands: readonly string[];
  /** How the person runs the setup again, e.g. "ctrl+a R". */
  retryKey: string;
  /** Environment names the setup commands must not see (the agent's channels). */
  withhold: readonly string[];
}

/** The marker's name in the worktree's git folder. */
export const SETUP_DONE = 'agents-setup-done';

// $1 retry key, $2 the names to withhold, $3 count n, then n shown forms, n commands, then the program.
const SCRIPT = `
retry=$1; withhold=$2; n=$3; shift 3
done_file=$(git rev-parse --git-path ${SETUP_DONE} 2>/dev/null)
if [ -n "$done_file" ] && [ -e "$done_file" ]; then shift $((n * 2)); exec "$@"; fi
i=0
while [ "$i" -lt "$n" ]; do
  i=$((i + 1))
  eval "shown=\\\${$i}"
  eval "cmd=\\\${$((n + i))}"
  printf '\\033[1m▸ worktree setup %s/%s: %s\\033[0m\\n' "$i" "$n" "$shown"
  ( for v in $withhold; do unset "$v"; done; exec /bin/sh -c "$cmd" )
  status=$?
  if [ "$status" -ne 0 ]; then
    printf '\\033[31m✗ worktree setup failed: "%s" exited with status %s.\\033[0m\\n' "$shown" "$status"
    printf 'The agent was not started. Fix the command (worktree.setup in agents.config.json) or the worktree, then press %s to run the setup again.\\n' "$retry"
    exit "$status"
  fi
done
shift $((n * 2))
if [ -n "$done_file" ]; then : > "$done_file"; fi
printf '\\033[1m✓ worktree setup done\\033[0m\\n'
exec "$@"
`;

/** Names `unset` accepts; anything else could not have been exported by a shell anyway. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The launch that runs `plan.commands` in the pane first, then `launch` (unchanged when there is nothing to run). */
export function withSetup(launch: ProcessLaunch, plan: SetupPlan): ProcessLaunch {
  if (plan.commands.length === 0) return launch;
  const shown = plan.commands.map((c) => printable(c));
  const withhold = plan.withhold.filter((n) => NAME.test(n)).join(' ');
  return {
    command: '/bin/sh',
    args: ['-c', SCRIPT, 'agents-setup', printable(plan.retryKey), withhold, String(plan.commands.length), ...shown, ...plan.commands, launch.command, ...launch.args],
    cwd: launch.cwd,
    env: launch.env,
  };
}
