// A fake Claude Code for workspace tests: it answers keys by drawing screens recorded from the real
// one (test/fixtures/screens/claude), so the workspace has only the screen to go by, as with the real thing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakePty } from './fake-pty.js';

const SCREENS = join(import.meta.dirname, '..', 'fixtures', 'screens', 'claude');
export const screen = (name: string) => '\x1b[H\x1b[2J' + readFileSync(join(SCREENS, `${name}.txt`), 'utf8').replace(/\n+$/, '').split('\n').join('\r\n');

export interface FakeClaude {
  /** Enters to ignore before one starts a turn (a program that drops an early Enter). */
  dropEnters?: number;
  /** Esc does nothing (a program stuck in a turn). */
  ignoreEsc?: boolean;
  /** Text it has received as submitted instructions. */
  submitted: string[];
  /** Ends the running turn as a finished one (set once the program runs). */
  finish?: () => void;
}

/** Draws the idle screen, takes typed text, starts a "turn" on Enter and stops it on Esc. */
export function fakeClaude(behaviour: Omit<FakeClaude, 'submitted'> = {}): { program: (p: FakePty) => void; state: FakeClaude } {
  const state: FakeClaude = { ...behaviour, submitted: [] };
  const program = (p: FakePty) => {
    let draft = '';
    let busy = false;
    setImmediate(() => p.output(screen('idle-start')));
    state.finish = () => {
      busy = false;
      p.output(screen('idle-after-tool'));
    };
    p.onWrite = (data) => {
      for (const ch of data.replace(/\x1b\[20[01]~/g, '')) {
        if (ch === '\x15') draft = ''; // Ctrl-U empties its input line
        else if (ch === '\x1b') {
          if (busy && !state.ignoreEsc) {
            busy = false;
            p.output(screen('idle-after-interrupt'));
          }
        } else if (ch === '\r') {
          if (state.dropEnters && state.dropEnters-- > 0) continue;
          if (!draft) continue;
          state.submitted.push(draft);
          draft = '';
          busy = true;
          p.output(screen('busy-streaming-1'));
        } else draft += ch;
      }
    };
  };
  return { program, state };
}

