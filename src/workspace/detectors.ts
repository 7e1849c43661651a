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

export const DETECTORS: Partial<Record<PresetName, Detector>> = { claude, aider };
