// A fake Claude Code for workspace tests: it answers keys by drawing screens recorded from the real
// one (test/fixtures/screens/claude), so the workspace has only the screen to go by, as with the real thing.
// With `hook` set it also reports its turn as the real one's hooks do (UserPromptSubmit before it
// starts, Stop when it finishes, nothing on Esc) and draws the screens recorded with a status line
// set (test/fixtures/hooks/claude), whose footer no longer says when it works.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakePty } from './fake-pty.js';

const SCREENS = join(import.meta.dirname, '..', 'fixtures', 'screens', 'claude');
const HOOK_SCREENS = join(import.meta.dirname, '..', 'fixtures', 'hooks', 'claude');
const draw = (file: string) => '\x1b[H\x1b[2J' + readFileSync(file, 'utf8').replace(/\n+$/, '').split('\n').join('\r\n');
export const screen = (name: string) => draw(join(SCREENS, `${name}.txt`));
/** A screen recorded with Claude Code's status line set (its footer is empty). */
export const hookScreen = (name: string) => draw(join(HOOK_SCREENS, `${name}.txt`));

export interface FakeClaude {
  /** Enters to ignore before one starts a turn (a program that drops an early Enter). */
  dropEnters?: number;
  /** Esc does nothing (a program stuck in a turn). */
  ignoreEsc?: boolean;
  /** Text it has received as submitted instructions. */
  submitted: string[];
  /** Ends the running turn as a finished one (set once the program runs). */
  finish?: () => void;
  /** Reports a hook event (its JSON input) as the real one's http hooks do; set: it has hooks. */
  hook?: (event: Record<string, unknown>) => void;
  /** Asks to write a file: PreToolUse, PermissionRequest and the permission dialog (set once it runs). */
  ask?: () => void;
  /** Draws a started turn this long after its prompt hook (as the real one can), instead of at once. */
  drawLaterMs?: number;
}

/** Draws the idle screen, takes typed text, starts a "turn" on Enter and stops it on Esc. */
export function fakeClaude(behaviour: Omit<FakeClaude, 'submitted'> = {}): { program: (p: FakePty) => void; state: FakeClaude } {
  const state: FakeClaude = { ...behaviour, submitted: [] };
  const program = (p: FakePty) => {
    let draft = '';
    let busy = false;
    setImmediate(() => p.output(screen('idle-start')));
    let asking = false;
    const hook = (name: string, extra: Record<string, unknown> = {}) => state.hook?.({ session_id: 's', cwd: '/proj', hook_event_name: name, ...extra });
    const write = { tool_name: 'Write', tool_input: { file_path: '/proj/notes.md', content: 'hello' } };
    state.finish = () => {
      busy = false;
      hook('Stop');
      p.output(screen('idle-after-tool'));
    };
    state.ask = () => {
      hook('PreToolUse', write);
      hook('PermissionRequest', write);
      asking = true;
      p.output(state.hook ? hookScreen('waiting-permission-write') : screen('waiting-permission-write'));
    };
    p.onWrite = (data) => {
      for (const ch of data.replace(/\x1b\[20[01]~/g, '')) {
        if (asking && (ch === '1' || ch === '3' || ch === '\x1b')) {
          // Yes: the tool runs; No or Esc: the write is refused and the turn ends. Neither is a hook event.
          asking = false;
          busy = ch === '1';
          p.output(busy ? (state.hook ? hookScreen('busy-streaming') : screen('busy-tool-running')) : state.hook ? hookScreen('idle-rejected-write') : screen('idle-after-deny'));
        } else if (ch === '\x15') draft = ''; // Ctrl-U empties its input line
        else if (ch === '\x1b') {
          if (busy && !state.ignoreEsc) {
            busy = false;
            p.output(state.hook ? hookScreen('idle-interrupted') : screen('idle-after-interrupt'));
          }
        } else if (ch === '\r') {
          if (state.dropEnters && state.dropEnters-- > 0) continue;
          if (!draft) continue;
          state.submitted.push(draft);
          // Its hook runs before the turn starts (and before the screen shows it).
          hook('UserPromptSubmit', { prompt: draft });
          draft = '';
          busy = true;
          const drawn = state.hook ? hookScreen('busy-streaming') : screen('busy-streaming-1');
          if (state.drawLaterMs) setTimeout(() => p.output(drawn), state.drawLaterMs);
          else p.output(drawn);
        } else draft += ch;
      }
    };
  };
  return { program, state };
}

