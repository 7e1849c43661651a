/**
 * Loads Ink and the chat UI so that they draw as in a terminal, in colour, even when the workspace
 * itself runs under CI. The agent's pane is always a real terminal (a pty with TERM and COLORTERM set
 * by the workspace), but two libraries look at the environment once, when they are first imported:
 *
 * - Ink (through is-in-ci) treats `CI` or `CONTINUOUS_INTEGRATION` as "in CI" unless the value is
 *   `0` or `false`, and then prints only the final frame instead of redrawing the live area;
 * - chalk, which Ink colours with, fixes its colour level in its bundled supports-color: when `CI`
 *   is present at all, whatever its value, the level is 0 (no colour) unless a known CI service is
 *   named or FORCE_COLOR is set.
 *
 * So `CI=0` satisfies Ink and blinds chalk; the one state both read as "a terminal" is the variables
 * being absent. They are removed for the import and restored right after, so the commands the agent
 * runs still see the person's environment. Nothing else in this process may import Ink or chalk
 * before this runs (they would be evaluated with the real environment).
 */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export async function loadChatUi(env: NodeJS.ProcessEnv = process.env) {
  const saved = CI_VARIABLES.map((k) => [k, env[k]] as const);
  for (const k of CI_VARIABLES) delete env[k];
  try {
    const [ink, ui] = await Promise.all([import('ink'), import('./ChatApp.js')]);
    return { render: ink.render, ChatApp: ui.ChatApp };
  } finally {
    for (const [k, v] of saved) if (v !== undefined) env[k] = v;
  }
}
