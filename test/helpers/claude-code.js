// Running real Claude Code (the devDependency) against the project's local Messages API server, for
// the end-to-end test and the bench: where it is, a key it will use, and a home whose config answers
// its first-run dialogs (onboarding, "use this API key?", trust this folder).
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './term.js';

export const CLAUDE_BIN_DIR = join(ROOT, 'node_modules', '.bin');
export const CLAUDE_KEY = 'sk-ant-test-key-0123456789abcdefghij';
export const claudeInstalled = () => existsSync(join(CLAUDE_BIN_DIR, 'claude'));

/** Environment for a workspace whose Claude Code panes talk to the server at `baseUrl`. */
export function claudeEnv(baseUrl) {
  return { PATH: `${CLAUDE_BIN_DIR}:${process.env.PATH}`, ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_API_KEY: CLAUDE_KEY, DISABLE_AUTOUPDATER: '1' };
}

/** Writes `home`/.claude.json so Claude Code starts straight at its prompt in `project`. */
export function writeClaudeConfig({ home, project }) {
  const config = {
    hasCompletedOnboarding: true,
    theme: 'dark',
    // It remembers approved keys by their last 20 characters.
    customApiKeyResponses: { approved: [CLAUDE_KEY.slice(-20)], rejected: [] },
    projects: { [realpathSync(project)]: { hasTrustDialogAccepted: true, allowedTools: [] } },
  };
  writeFileSync(join(home, '.claude.json'), JSON.stringify(config));
}
