/**
 * Status rules per preset, as data. Each was written against screens recorded from real runs of
 * that CLI (test/fixtures/screens/<preset>/, named by the state a person would call it) and is tested
 * on all of them. First match wins: dialogs, then work in progress, then the input prompt.
 *
 * When nothing matches, the workspace falls back to a guess from output timing (marked with "?").
 */
import type { Detector } from './activity.js';
import type { PresetName } from './presets.js';

const claude: Detector = {
  rules: [
    // Every dialog (tool permission, API key, model picker, trust) ends with an "Esc to cancel" footer,
    // on a line of its own (anchored, so a draft in the input box saying so does not count).
    { state: 'waiting', name: 'claude:dialog', pattern: '^\\s*(?:Enter to [^\\n]*·\\s)?Esc to cancel', last: 3 },
    { state: 'waiting', name: 'claude:question', pattern: '^ ?Do you want to [^\\n]*\\?\\n(?:[^\\n]*\\n){0,3}\\s*❯ \\d+\\.', last: 16 },
    // While a turn runs the footer says so — unless a draft is in the input box, which hides it...
    { state: 'busy', name: 'claude:footer', pattern: '^\\s*esc to interrupt', last: 3 },
    // ...but the spinner line ("✶ Deciphering… (5s · ↓ 16 tokens)") stays above the input box.
    { state: 'busy', name: 'claude:spinner', pattern: '^[·✢✳✶✻✽*]\\s\\S[^\\n]*…\\s*\\(\\d+[hms]', last: 14 },
    // A turn ended by a key: "⎿  Interrupted · What should Claude do instead?" (Esc, or "No" on a Bash
    // prompt) or "⎿  User rejected write to a.txt" (with the refused content under it), right above
    // the input box. Claude Code runs no hook then, so these count even while its hooks lead.
    {
      state: 'idle',
      name: 'claude:ended',
      pattern: '^\\s*⎿\\s+(?:Interrupted · What should Claude do instead\\?|User rejected\\b[^\\n]*)\\n(?:\\s{2,}\\S[^\\n]*\\n){0,12}─{8,}\\n❯(?:\\s|$)',
      last: 18,
      ends: true,
    },
    // The input box: a rule line, then the prompt mark (empty or with a draft).
    // (The space after ❯ is a no-break space.)
    { state: 'idle', name: 'claude:input', pattern: '^─{8,}\\n❯(?:\\s|$)', last: 12 },
  ],
};

const aider: Detector = {
  rules: [
    // "Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]:"
    { state: 'waiting', name: 'aider:confirm', pattern: '\\(Y\\)es/\\(N\\)o', last: 2 },
    // Its prompt is "> " or "<mode>> " (architect>, ask>, multi>) at the bottom.
    { state: 'idle', name: 'aider:prompt', pattern: '^(?:[\\w-]+)?>(?: [^\\n]*)?$(?![\\s\\S])', last: 1 },
  ],
};

const gemini: Detector = {
  rules: [
    // Tool approval: "Allow execution of [Shell]?" / "Apply this change?" over the options "1. Allow once", …
    { state: 'waiting', name: 'gemini:approval', pattern: '^│\\s+(?:●\\s+)?1\\.\\s+Allow once\\s+│$', last: 6 },
    // Any other dialog (ask_user, pickers, trust, auth, API key) hides the input and footer: a box's bottom edge is the last line.
    { state: 'waiting', name: 'gemini:dialog', pattern: '^\\s?╰─+╯$', last: 1 },
    // The spinner line over the input box, with its elapsed time: "⠦ Thinking... (esc to cancel, 3s)" (streaming, tools, thinking).
    { state: 'busy', name: 'gemini:spinner', pattern: '^\\s?[\\u2800-\\u28FF]\\s[^\\n]*\\(esc to cancel, \\d+[hms][^()\\n]*\\)', last: 8 },
    // The input box: a rule line, maybe "Shift+Tab to accept edits", then the prompt mark ">" (placeholder or draft).
    { state: 'idle', name: 'gemini:input', pattern: '^─{8,}\\n(?:[^\\n]*\\n)?\\s?>\\s', last: 8 },
  ],
};

const codex: Detector = {
  rules: [
    // Plan-mode question: hint bar "tab to add notes | enter to submit answer | esc to interrupt" (so before the busy rules).
    { state: 'waiting', name: 'codex:question', pattern: '^\\s+(?:[^\\n|]+\\|\\s+)*enter to submit\\b[^\\n]*\\|\\s+esc to interrupt$', last: 1 },
    // Command approval ("Would you like to run the following command?"): its footer "Press enter to confirm or esc to cancel".
    { state: 'waiting', name: 'codex:approval', pattern: '^\\s+Press enter to confirm or esc to cancel$', last: 1 },
    // Pickers and the trust prompt ("Select Model and Effort", "Trust this folder?"): footer "enter select · esc back".
    { state: 'waiting', name: 'codex:picker', pattern: '^\\s+enter \\w+ · esc back$', last: 1 },
    // First-start screens (sign-in choice, API key entry): footer "Press enter to continue" / "Press esc to go back".
    { state: 'waiting', name: 'codex:onboarding', pattern: '^\\s+Press (?:enter|esc) to \\w', last: 1 },
    // Its hooks' review ("Hooks need review" at start, "enter confirm · esc skip"; the /hooks browser,
    // "t trust all · enter review · esc close"; one hook, "t trust · esc back").
    { state: 'waiting', name: 'codex:hooks', pattern: '^\\s+(?:[^\\n·]+ · )+esc (?:skip|close|back)$', last: 1 },
    // The status line over the composer: "• Working (3s • esc to interrupt)", a reasoning headline, "• Reconnecting... 4/5 (…)".
    { state: 'busy', name: 'codex:status', pattern: '^•\\s[^\\n]*\\(\\d+[hms][^()\\n]*esc to interrupt\\)', last: 8 },
    // Answer text streams with no status line; with a draft typed, the footer says "tab to queue message"...
    { state: 'busy', name: 'codex:queue', pattern: '^\\s+tab to queue message\\b', last: 1 },
    // ...else the composer sits right under an indented answer line that no "Worked for 3s" (or "■ …interrupted") has closed.
    { state: 'busy', name: 'codex:streaming', pattern: '^ {2}(?!Worked for\\b|\\d+ background terminals? running\\b)\\S[^\\n]*\\n›\\s(?!\\d+\\.\\s)', last: 6 },
    // A turn ended by a key: "■ Conversation interrupted - …" over the composer (a background
    // terminal line may come between). Counts even while its hooks lead (as Claude Code's does).
    { state: 'idle', name: 'codex:ended', pattern: '^■ Conversation interrupted\\b[^\\n]*\\n(?:[^\\n]*\\n){0,3}›\\s(?!\\d+\\.\\s)', last: 8, ends: true },
    // The composer: the prompt mark "›" with the placeholder or a draft (not a dialog's "› 1." option).
    { state: 'idle', name: 'codex:composer', pattern: '^›\\s(?!\\d+\\.\\s)', last: 6 },
  ],
};

const opencode: Detector = {
  rules: [
    // Tool approval ("△ Permission required") in place of the input box: buttons "Allow once   Allow always   Reject".
    { state: 'waiting', name: 'opencode:permission', pattern: '^\\s*┃\\s+Allow once\\s+Allow always\\s+Reject\\b', last: 4 },
    // The question tool in place of the input box: key hints "↑↓ select  enter submit  esc dismiss".
    { state: 'waiting', name: 'opencode:question', pattern: '^\\s*┃\\s+↑↓ select\\b[^\\n]*\\besc dismiss$', last: 3 },
    // Pickers ("Select model", "Connect a provider") float a quarter down the screen, title row ending in "esc"; bottom bar looks idle.
    { state: 'waiting', name: 'opencode:dialog', pattern: '\\S\\s{3,}esc$', last: 24 },
    // The bottom bar while a turn runs: "■■■■■⬝⬝⬝  esc interrupt", or "esc again to interrupt" after one Esc.
    { state: 'busy', name: 'opencode:working', pattern: '^\\s*[■⬝]*\\s*esc (?:again to )?interrupt\\b', last: 2 },
    // The input box's bottom edge ("╹▀▀▀…") near the bottom, with no busy bar under it.
    { state: 'idle', name: 'opencode:input', pattern: '^\\s*╹▀{8,}$', last: 6 },
  ],
};

export const DETECTORS: Partial<Record<PresetName, Detector>> = { claude, aider, gemini, codex, opencode };
