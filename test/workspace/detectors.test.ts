// Every recorded screen of a real CLI (test/fixtures/screens/<preset>/<state>-*.txt, captured from
// real runs, see the README there) must read as the state in its name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScreen, meaningfulLines } from '../../src/workspace/activity.js';
import { DETECTORS } from '../../src/workspace/detectors.js';
import type { PresetName } from '../../src/workspace/presets.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'screens');
const presets = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

function fixtures(preset: string): Array<{ file: string; state: string; screen: string[] }> {
  const dir = join(ROOT, preset);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .map((file) => ({ file, state: file.split('-')[0], screen: readFileSync(join(dir, file), 'utf8').split('\n') }));
}

describe('status detectors on recorded screens', () => {
  for (const preset of presets) {
    const cases = fixtures(preset);
    if (cases.length === 0) continue;
    describe(preset, () => {
      it.each(cases)('$file reads as $state', ({ state, screen }) => {
        const detector = DETECTORS[preset as PresetName];
        expect(detector, `no detector for ${preset}`).toBeDefined();
        expect(readScreen(detector!, screen)?.state).toBe(state);
      });
    });
  }

  it('has recordings of busy, waiting and idle for the CLIs that install here', () => {
    for (const preset of ['claude', 'gemini', 'codex', 'opencode']) {
      const states = new Set(fixtures(preset).map((f) => f.state));
      expect([...states].sort(), preset).toEqual(['busy', 'idle', 'waiting']);
    }
  });

  it('reads nothing from an empty or unrelated screen', () => {
    for (const d of Object.values(DETECTORS)) {
      expect(readScreen(d!, [])).toBeUndefined();
      expect(readScreen(d!, ['$ ls', 'README.md  src', '$ make', 'cc -o x x.c'])).toBeUndefined();
    }
  });

  it('a draft in the input box that quotes a footer is still a draft', () => {
    const screen = readFileSync(join(ROOT, 'claude', 'idle-draft.txt'), 'utf8').split('\n');
    for (const draft of ['please make the footer say esc to interrupt', 'add Esc to cancel to the dialog']) {
      const edited = screen.map((l) => (l.startsWith('❯') ? `❯\u00a0${draft}` : l));
      expect(readScreen(DETECTORS.claude!, edited)?.state, draft).toBe('idle');
    }
  });

  it('only looks at the bottom of the screen: a dialog scrolled up is over', () => {
    const screen = readFileSync(join(ROOT, 'claude', 'waiting-permission-bash.txt'), 'utf8').split('\n');
    const later = [...meaningfulLines(screen), ...Array.from({ length: 20 }, (_, i) => `  line ${i} of a long answer`)];
    expect(readScreen(DETECTORS.claude!, later)).toBeUndefined();
  });
});

describe('the guess from output timing', () => {
  it('calls recent output busy, but not the echo of what the person typed', async () => {
    const { guessFromOutput } = await import('../../src/workspace/activity.js');
    expect(guessFromOutput(1000, 1100).state).toBe('busy');
    expect(guessFromOutput(1000, 3000).state).toBe('idle');
    expect(guessFromOutput(1000, 1100, 950).state).toBe('idle'); // 50 ms after a key: its echo
    expect(guessFromOutput(1400, 1500, 950).state).toBe('busy'); // long after the key: the program at work
  });
});
