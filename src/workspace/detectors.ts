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
    // Every dialog (tool permission, API key, model picker, trust) ends with an "Esc to cancel" footer.
    { state: 'waiting', name: 'claude:dialog', pattern: 'Esc to cancel', last: 3 },
    { state: 'waiting', name: 'claude:question', pattern: '^ ?Do you want to [^\\n]*\\?\\n(?:[^\\n]*\\n){0,3}\\s*❯ \\d+\\.', last: 16 },
    // While a turn runs the footer says so — unless a draft is in the input box, which hides it...
    { state: 'busy', name: 'claude:footer', pattern: 'esc to interrupt', last: 3 },
    // ...but the spinner line ("✶ Deciphering… (5s · ↓ 16 tokens)") stays above the input box.
    { state: 'busy', name: 'claude:spinner', pattern: '^[·✢✳✶✻✽*]\\s\\S[^\\n]*…\\s*\\(\\d+[hms]', last: 14 },
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
    // Every other dialog (ask_user, pickers, trust, auth, API key) is a bordered box too. While one is
    // open the input line and the footer are not drawn, so the box's bottom edge is the last line.
    { state: 'waiting', name: 'gemini:dialog', pattern: '^\\s?╰─+╯$', last: 1 },
    // The spinner line above the input box, with its elapsed time: "⠦ Thinking... (esc to cancel, 3s)".
    // It shows while text streams, while a tool runs and while the model thinks. (Room for a short draft.)
    { state: 'busy', name: 'gemini:spinner', pattern: '^\\s?[\\u2800-\\u28FF]\\s[^\\n]*\\(esc to cancel, \\d+[hms][^()\\n]*\\)', last: 8 },
    // The input box: a rule line, maybe the approval-mode line ("Shift+Tab to accept edits"), then the
    // prompt mark (placeholder or draft).
    { state: 'idle', name: 'gemini:input', pattern: '^─{8,}\\n(?:[^\\n]*\\n)?\\s?>\\s', last: 8 },
  ],
};

const codex: Detector = {
  rules: [
    // The Plan-mode question ("Question 1/1 (1 unanswered)") ends with the hint bar
    // "tab to add notes | enter to submit answer | esc to interrupt" — it says "esc to interrupt" as
    // well, so it must come before the busy rules.
    { state: 'waiting', name: 'codex:question', pattern: '^\\s+(?:[^\\n|]+\\|\\s+)*enter to submit\\b[^\\n]*\\|\\s+esc to interrupt$', last: 1 },
    // Command approval ("Would you like to run the following command?"): footer "Press enter to confirm or esc to cancel".
    { state: 'waiting', name: 'codex:approval', pattern: '^\\s+Press enter to confirm or esc to cancel$', last: 1 },
    // Pickers and the trust prompt ("Select Model and Effort", "Trust this folder?"): footer "enter select · esc back".
    { state: 'waiting', name: 'codex:picker', pattern: '^\\s+enter \\w+ · esc back$', last: 1 },
    // First-start screens (sign-in choice, API key entry): footer "Press enter to continue" / "Press esc to go back".
    { state: 'waiting', name: 'codex:onboarding', pattern: '^\\s+Press (?:enter|esc) to \\w', last: 1 },
    // The status line over the composer, with its elapsed time: "• Working (3s • esc to interrupt)",
    // a reasoning headline in the same slot, or "• Reconnecting... 4/5 (2s • esc to interrupt)".
    { state: 'busy', name: 'codex:status', pattern: '^•\\s[^\\n]*\\(\\d+[hms][^()\\n]*esc to interrupt\\)', last: 8 },
    // While answer text streams there is no status line; with a draft typed, the footer says "tab to queue message".
    { state: 'busy', name: 'codex:queue', pattern: '^\\s+tab to queue message\\b', last: 1 },
    // ...and with an empty composer, the composer sits right under the unfinished answer: an indented
    // answer line, not the "Worked for 3s" that closes a finished turn nor the background-terminal note
    // (an interrupted turn ends in "■ Conversation interrupted", a notice in "• Model changed …").
    { state: 'busy', name: 'codex:streaming', pattern: '^ {2}(?!Worked for\\b|\\d+ background terminals? running\\b)\\S[^\\n]*\\n›\\s(?!\\d+\\.\\s)', last: 6 },
    // The composer: the prompt mark "›" with the placeholder or a draft (not a "› 1." option of a dialog).
    { state: 'idle', name: 'codex:composer', pattern: '^›\\s(?!\\d+\\.\\s)', last: 6 },
  ],
};

const opencode: Detector = {
  rules: [
    // Tool approval ("△ Permission required") in place of the input box: the buttons "Allow once   Allow always   Reject".
    { state: 'waiting', name: 'opencode:permission', pattern: '^\\s*┃\\s+Allow once\\s+Allow always\\s+Reject\\b', last: 4 },
    // The question tool in place of the input box, with its key hints "↑↓ select  enter submit  esc dismiss".
    { state: 'waiting', name: 'opencode:question', pattern: '^\\s*┃\\s+↑↓ select\\b[^\\n]*\\besc dismiss$', last: 3 },
    // Pickers ("Select model", "Connect a provider") float over the transcript a quarter of the way down,
    // their title row ending in "esc" at the top right; the bottom bar under them still looks idle.
    { state: 'waiting', name: 'opencode:dialog', pattern: '\\S\\s{3,}esc$', last: 24 },
    // While a turn runs the bottom bar starts with a progress bar and "esc interrupt" ("■■■■■⬝⬝⬝  esc
    // interrupt"), or "esc again to interrupt" after one Esc.
    { state: 'busy', name: 'opencode:working', pattern: '^\\s*[■⬝]*\\s*esc (?:again to )?interrupt\\b', last: 2 },
    // The input box's bottom edge ("╹▀▀▀…") near the bottom, with no busy bar under it.
    { state: 'idle', name: 'opencode:input', pattern: '^\\s*╹▀{8,}$', last: 6 },
  ],
};

export const DETECTORS: Partial<Record<PresetName, Detector>> = { claude, aider, gemini, codex, opencode };
