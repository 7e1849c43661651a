import { afterEach, describe, expect, it, vi } from 'vitest';
// Ink colours through chalk, which reads FORCE_COLOR when it is first imported; the test runner's
// stdout is no TTY, so without this every frame would be colourless.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '3';
});
import { cleanup, render } from 'ink-testing-library';
import { buildKeymap, COMMANDS, type Keymap } from '../../src/config/keymap.js';
import { loadTheme, type Theme } from '../../src/config/theme.js';
import { ATTR, COLOR, type Grid, type Rect } from '../../src/render/grid.js';
import { Chrome, overlayRects } from '../../src/frontend/chrome.js';
import { App } from '../../src/ui/App.js';
import type { UiEnv, ViewStore } from '../../src/ui/context.js';
import { dialogRect } from '../../src/workspace/geometry.js';
import { helpSections } from '../../src/workspace/help.js';
import { computeLayout } from '../../src/workspace/layout.js';
import type { PaneStatus } from '../../src/workspace/pane.js';
import type { BoardView, Dialog, PaneView, TaskView, WorkspaceView } from '../../src/workspace/workspace.js';

const wait = { timeout: 3000, interval: 5 };
const P16 = (n: number) => COLOR.p16 | n;
const GRAY = P16(8);
const CYAN = P16(6);
const GREEN = P16(2);
const YELLOW = P16(3);
const BLACK = P16(0);

class FakeStore implements ViewStore {
  private listeners = new Set<() => void>();
  constructor(private view: WorkspaceView) {}
  subscribe = (cb: () => void) => {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  };
  getView = () => this.view;
  set(patch: Partial<WorkspaceView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of [...this.listeners]) l();
  }
}

function makeView(cols: number, rows: number, statuses: PaneStatus[], focus = 0, extra: Partial<WorkspaceView> = {}): WorkspaceView {
  const rects = computeLayout(statuses.length, 'tiled', { x: 0, y: 0, width: cols, height: rows - 1 });
  const panes: PaneView[] = statuses.map((status, i) => ({
    id: i + 10,
    number: i + 1,
    name: ['shell', 'claude', 'codex', 'aider'][i] ?? `p${i}`,
    status,
    focused: i === focus,
    rect: rects[i],
    positionWidth: 0,
  }));
  const f = panes[focus];
  return { cols, rows, layout: 'tiled', mode: 'normal', panes, count: panes.length, focusedId: f?.id, focus: f && { number: f.number, name: f.name }, zoomed: false, totals: { tokens: 0, cost: 0, priced: true, agents: 0 }, waiting: [], alerts: [], clients: 1, ...extra };
}

let keymap: Keymap;
let theme: Theme;
{
  const built = buildKeymap();
  keymap = built.keymap!;
  theme = loadTheme('dark', { noColor: false }).value!;
}

function env(store: ViewStore): UiEnv {
  return {
    store,
    theme,
    help: helpSections(keymap),
    prefix: 'ctrl+a',
    key: (command) => keymap.bindingsOf(command as never)[0] ?? '?',
  };
}

const screens: Chrome[] = [];
afterEach(() => {
  cleanup();
  for (const s of screens.splice(0)) s.dispose();
});

/**
 * Renders the chrome the way the workspace does (frontend.ts): frames and status bar painted from
 * the view, Ink's overlays (the App) laid over them.
 */
function mount(view: WorkspaceView) {
  const store = new FakeStore(view);
  const e = env(store);
  const r = render(<App env={e} />);
  const { cols, rows } = view;
  const screen = async (): Promise<Grid> => {
    const chrome = new Chrome(cols, rows, e, () => {});
    screens.push(chrome);
    chrome.setView(store.getView());
    chrome.setInkFrame(r.lastFrame() ?? '');
    return chrome.grid;
  };
  /** Changes the view and waits for Ink to draw a new frame. */
  const update = async (patch: Partial<WorkspaceView>) => {
    const before = r.lastFrame();
    store.set(patch);
    // Ink draws a new frame only for an overlay (these tests change one when one shows).
    if (overlayRects(store.getView()).length > 0) await vi.waitFor(() => expect(r.lastFrame()).not.toBe(before), wait);
  };
  return { store, r, screen, update };
}

const cell = (g: Grid, x: number, y: number) => {
  const i = y * g.width + x;
  return { ch: g.char(i), fg: g.fg[i], bg: g.bg[i], attrs: g.attrs[i] };
};
/** The text of a rectangle's row y (absolute), cut to the rectangle. */
const rowIn = (g: Grid, r: Rect, y: number) => g.rowText(y).slice(r.x, r.x + r.width);
const findText = (g: Grid, text: string): { x: number; y: number } | undefined => {
  for (let y = 0; y < g.height; y++) {
    const x = g.rowText(y).indexOf(text);
    if (x >= 0) return { x, y };
  }
  return undefined;
};

const running: PaneStatus = { kind: 'running' };

describe('App: pane frames', () => {
  it('titles show each pane’s number, name and status', async () => {
    const statuses: PaneStatus[] = [running, { kind: 'exited', code: 2 }, { kind: 'exited', code: 0, signal: 'SIGTERM' }, { kind: 'missing' }];
    const view = makeView(100, 25, statuses);
    const { screen } = mount(view);
    const g = await screen();
    const expected = ['1 shell · running', '2 claude · exited 2', '3 codex · killed by SIGTERM', '4 aider · not installed'];
    view.panes.forEach((p, i) => {
      expect(rowIn(g, p.rect, p.rect.y).startsWith(`${i === 0 ? '┏━' : '╭─'} ${expected[i]} `)).toBe(true);
    });
    // Styled by meaning: the number in yellow, a running status in green, a failure in red.
    const at = findText(g, '1 shell')!;
    expect(cell(g, at.x, at.y).fg).toBe(YELLOW);
    expect(cell(g, findText(g, 'running')!.x, 0).fg).toBe(GREEN);
    expect(cell(g, findText(g, 'exited 2')!.x, 0).fg).toBe(P16(1));
  });

  it('titles show what an external agent is doing, a ? on a guess, and a failed instruction', async () => {
    const view = makeView(160, 25, [running, running, running, running]);
    const act = (state: 'busy' | 'waiting' | 'idle', source: 'screen' | 'guess' | 'process') => ({ state, source, reason: 'test', since: 0 });
    view.panes[0] = { ...view.panes[0], activity: act('idle', 'process') };
    view.panes[1] = { ...view.panes[1], activity: act('waiting', 'screen') };
    view.panes[2] = { ...view.panes[2], activity: act('busy', 'screen'), notice: 'instruction not sent: no turn' };
    view.panes[3] = { ...view.panes[3], activity: act('busy', 'guess') };
    view.waiting = [{ number: 2, name: 'claude' }];
    const { screen } = mount(view);
    const g = await screen();
    const titles = view.panes.map((p) => rowIn(g, p.rect, p.rect.y));
    expect(titles[0]).toContain('1 shell · idle ');
    expect(titles[1]).toContain('2 claude · needs you ');
    expect(titles[2]).toContain('3 codex · busy ⚠ instruction not sent: no turn');
    expect(titles[3]).toContain('4 aider · busy? ');
    expect(g.rowText(24)).toContain('⚑ 1 waiting for you: 2:claude');
  });

  it('the shared-context panel scrolls through the feed and says what lies above and below', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => ({ id: 40 - i, time: '10:00:00', who: 'lead', kind: 'modified', path: `src/file${40 - i}.ts`, size: '+1 -0' }));
    const rect = { x: 70, y: 0, width: 50, height: 24 };
    const view = makeView(120, 25, [running], 0, { context: { lines, notes: [], pending: {}, conflicts: {}, rect, scroll: 5 } });
    const { screen } = mount(view);
    const g = await screen();
    const panel = Array.from({ length: 24 }, (_, y) => rowIn(g, rect, y)).join('\n');
    expect(panel).toContain('Shared context');
    expect(panel).toMatch(/Changes ↑ 5 newer ↓ \d+ older/);
    expect(panel).toContain('src/file35.ts');
    expect(panel).not.toContain('src/file36.ts');
  });

  it('the focused pane has a heavy, accent-coloured border; the others a light, muted one', async () => {
    const view = makeView(80, 21, [running, running, running], 1);
    const { screen, update } = mount(view);
    let g = await screen();
    const corners = (p: PaneView) => {
      const { x, y, width, height } = p.rect;
      return [cell(g, x, y), cell(g, x + width - 1, y), cell(g, x, y + height - 1), cell(g, x + width - 1, y + height - 1)];
    };
    expect(corners(view.panes[1]).map((c) => c.ch)).toEqual(['┏', '┓', '┗', '┛']);
    expect(corners(view.panes[1]).every((c) => c.fg === CYAN)).toBe(true);
    for (const p of [view.panes[0], view.panes[2]]) {
      expect(corners(p).map((c) => c.ch)).toEqual(['╭', '╮', '╰', '╯']);
      expect(corners(p).every((c) => c.fg === GRAY)).toBe(true);
    }
    // The focused title is bold.
    const title = findText(g, 'claude')!;
    expect(cell(g, title.x, title.y).attrs & ATTR.bold).toBeTruthy();

    // Focus moves: the highlight follows.
    await update({ panes: view.panes.map((p, i) => ({ ...p, focused: i === 2 })), focusedId: view.panes[2].id });
    g = await screen();
    expect(cell(g, 0, 10).ch).toBe('┏');
    expect(cell(g, 40, 0).ch).toBe('╭');
  });

  it('leaves pane interiors blank for the compositor', async () => {
    const view = makeView(60, 15, [running, running]);
    const { screen } = mount(view);
    const g = await screen();
    const r = view.panes[1].rect;
    for (let y = r.y + 1; y < r.y + r.height - 1; y++) expect(rowIn(g, r, y).slice(1, -1)).toBe(' '.repeat(r.width - 2));
  });

  it('in scroll mode the title keeps the right end of the border free for the scroll position, which the compositor draws', async () => {
    const view = makeView(60, 12, [running, running], 0, { mode: 'scroll' });
    view.panes[0] = { ...view.panes[0], name: 'a-very-long-pane-name-indeed', positionWidth: 10 };
    const { screen } = mount(view);
    const g = await screen();
    const row = rowIn(g, view.panes[0].rect, 0);
    expect(row.startsWith('┏━ 1 a-very')).toBe(true);
    // The title is cut short of the last 11 columns before the corner: border only, for "[3/1200]".
    expect(row.slice(-12)).toBe(`${'━'.repeat(11)}┓`);
    expect(g.rowText(0)).not.toContain('[');
  });

  it('cuts a long title to the pane’s border', async () => {
    const view = makeView(40, 10, [running, running]);
    view.panes[0] = { ...view.panes[0], name: 'a-very-long-pane-name-indeed' };
    const { screen } = mount(view);
    const g = await screen();
    const row = rowIn(g, view.panes[0].rect, 0);
    expect(row.startsWith('┏━ 1 a-very-long')).toBe(true);
    expect(row.endsWith('┓')).toBe(true);
    expect(rowIn(g, view.panes[1].rect, 0).startsWith('╭─ 2 claude')).toBe(true);
  });
});

describe('chrome: frames painted from the view, Ink laid over them', () => {
  it('cuts a title of wide characters by the columns it takes, with its end marked', async () => {
    const view = makeView(40, 10, [running, running]);
    view.panes[0] = { ...view.panes[0], name: '日本語の名前' };
    const g = await mount(view).screen();
    // 20 columns: the border's 4 and 16 of title, the last of them the mark. (Ink measured the
    // title's length, 6 for the name, and pushed its status and the corner off the border.)
    expect(g.rowText(0).slice(0, 14)).toBe('┏━ 1 日本語の名前…━┓');
  });

  it('attack: control characters and bidi overrides in a name, a file name or a message reach no cell: they show escaped', async () => {
    const view = makeView(200, 10, [running, running], 0, { message: 'bell\x07 \x1b]52;c;aGk=\x07 \u009b31m done' });
    view.panes[0] = { ...view.panes[0], name: 'evil\x1b[2J\x1b]0;pwned\x07', branchConflict: 'txt.\u202eexe also on agents/x' };
    view.panes[1] = { ...view.panes[1], name: 'cafe\u0301' };
    const g = await mount(view).screen();
    for (let i = 0; i < g.codes.length; i++) {
      for (const ch of g.char(i)) expect(ch).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    }
    // They show escaped, as names and paths are everywhere on screen; a combining accent stays with its letter.
    expect(g.rowText(0)).toContain('1 evil\\x1b[2J\\x1b]0;pwned\\x07 · running');
    expect(g.rowText(0)).toContain('txt.\\u202eexe also on agents/x');
    expect(g.rowText(0)).toContain('2 cafe\u0301 ·');
    expect(g.rowText(9)).toContain('bell\\x07 \\x1b]52;c;aGk=\\x07 \\x9b31m done');
  });

  it('an overlay is Ink’s alone inside its rectangle: no border of the panes behind shows through', async () => {
    const view = makeView(80, 21, [running, running], 0, { mode: 'dialog', dialog: { kind: 'confirm', text: 'Quit?', action: 'quit' } as Dialog });
    const g = await mount(view).screen();
    const r = dialogRect(view.dialog!, 80, 21);
    // The panes' shared border runs down the middle of the screen, under the dialog.
    const seam = view.panes[1].rect.x;
    expect(seam).toBeGreaterThan(r.x);
    expect(seam).toBeLessThan(r.x + r.width - 1);
    const inside = r.y + 2;
    expect(g.char(inside * 80 + seam)).not.toMatch(/[│┃╭╮╰╯┏┓┗┛]/);
    expect(g.char(0 * 80 + seam)).toMatch(/[╭┏]/);
  });

  it('a publish that changes nothing it shows leaves the chrome alone (a new chrome redraws every pane)', () => {
    const view = makeView(80, 20, [running, running], 0);
    let updates = 0;
    const chrome = new Chrome(80, 20, env(new FakeStore(view)), () => updates++);
    screens.push(chrome);
    chrome.setView(view);
    expect(updates).toBe(1);
    // A new view object, as each publish makes, with the same slices (views.ts keeps them).
    chrome.setView({ ...view, layout: 'tiled' });
    expect(updates).toBe(1);
    chrome.setView({ ...view, mode: 'prefix' });
    expect(updates).toBe(2);
    expect(chrome.grid.rowText(19)).toContain('PREFIX');
    const busy = { ...view.panes[1], activity: { state: 'busy' as const, source: 'screen' as const, reason: 'test', since: 0 } };
    chrome.setView({ ...view, mode: 'prefix', panes: [view.panes[0], busy] });
    expect(updates).toBe(3);
    expect(rowIn(chrome.grid, busy.rect, 0)).toContain('2 claude · busy');
  });

  it('a wide character cut by an overlay’s edge leaves a blank, never half of itself', () => {
    const view = makeView(60, 12, [running], 0, { mode: 'dialog', dialog: { kind: 'confirm', text: 'x', action: 'quit' } as Dialog });
    // The title's wide characters reach over the dialog's left edge (x 8, rows 2-7).
    view.panes[0] = { ...view.panes[0], name: '日本語日本語', rect: { x: 0, y: 3, width: 60, height: 8 } };
    const r = dialogRect(view.dialog!, 60, 12);
    expect(r).toMatchObject({ x: 8, y: 2 });
    const chrome = new Chrome(60, 12, env(new FakeStore(view)), () => {});
    screens.push(chrome);
    chrome.setView(view);
    // An Ink frame whose overlay rows are blank: the composed row must still pair every wide cell.
    chrome.setInkFrame(Array.from({ length: 12 }, () => ' '.repeat(60)).join('\n'));
    const g = chrome.grid;
    expect(g.rowText(3).startsWith('┏━ 1 日 ')).toBe(true);
    expect(cell(g, 7, 3)).toMatchObject({ ch: ' ' });
    for (let i = 0; i < g.codes.length; i++) {
      if (g.widths[i] === 2) expect(g.widths[i + 1]).toBe(0);
      if (g.widths[i] === 0) expect(g.widths[i - 1]).toBe(2);
    }
  });
});

describe('App: status bar', () => {
  it('shows the mode, the focused pane and a hint for each mode', async () => {
    const view = makeView(100, 20, [running, running, running], 1);
    const { screen, update } = mount(view);
    let g = await screen();
    const bar = () => g.rowText(19).trimEnd();
    expect(bar()).toBe(' NORMAL  2:claude of 3 │ ctrl+a ? help · ctrl+a q quit');
    expect(cell(g, 1, 19)).toMatchObject({ ch: 'N', fg: BLACK, bg: GREEN });
    expect(cell(g, 1, 19).attrs & ATTR.bold).toBeTruthy();

    await update({ mode: 'prefix' });
    g = await screen();
    expect(bar()).toMatch(/^ PREFIX  2:claude of 3 │ 1-9 focus · z zoom · c new · i interrupt · \[ scroll · d detach · q quit/);
    expect(cell(g, 1, 19).bg).toBe(YELLOW);

    await update({ mode: 'scroll' });
    g = await screen();
    expect(bar()).toBe(' SCROLL  2:claude of 3 │ ↑↓ line · PgUp/PgDn page · g/G top/bottom · q leave');

    await update({ mode: 'normal', message: 'w is not bound.' });
    g = await screen();
    expect(bar()).toBe(' NORMAL  2:claude of 3 │ w is not bound.');
    expect(cell(g, findText(g, 'w is not')!.x, 19).fg).toBe(YELLOW);
  });

  it('says when the focused pane is zoomed', async () => {
    const base = makeView(80, 20, [running], 0);
    const { screen } = mount({ ...base, zoomed: true });
    const g = await screen();
    expect(g.rowText(19)).toContain(' 1:shell (zoomed) │');
  });

  it('fits in a narrow terminal', async () => {
    const { screen } = mount(makeView(30, 8, [running]));
    const g = await screen();
    expect(g.rowText(7)).toBe(' NORMAL  1:shell │ ctrl+a ? h…');
  });
});

describe('App: task board', () => {
  const tasks = (n: number, change: Partial<TaskView> = {}): TaskView[] =>
    Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, title: `task ${i + 1}`, state: 'todo', deps: [], attempts: '', cost: '', ...(i === 2 ? change : {}) }));
  const board = (list: TaskView[], selected: number): BoardView => ({ rect: { x: 60, y: 0, width: 40, height: 19 }, tasks: list, selected, focused: true, questions: [], warnings: [], paused: [] });

  it('each publish brings new task views: a row shows what changed in its task, and the selection moves', async () => {
    const view = makeView(100, 20, [running], 0, { mode: 'board', board: board(tasks(8), 0) });
    view.panes[0] = { ...view.panes[0], rect: { x: 0, y: 0, width: 60, height: 19 } };
    const { update, screen } = mount(view);
    const rowOf = (g: Grid, id: string) => g.rowText(findText(g, `task ${id.slice(1)}`)?.y ?? 0).slice(60);
    expect(rowOf(await screen(), 't1')).toContain('›t1   todo');
    // The same tasks as new objects, one of them changed; the selection one down.
    await update({ board: board(tasks(8, { state: 'doing', owner: 'w1' }), 1) });
    const g = await screen();
    expect(rowOf(g, 't3')).toMatch(/ t3 {3}doing .*→w1/);
    expect(rowOf(g, 't2')).toContain('›t2 ');
    expect(rowOf(g, 't1')).not.toContain('›');
  });
});

describe('App: too small', () => {
  it('says, whole, how much room the layout needs and how to zoom, even at 20x6', async () => {
    const view = makeView(20, 6, [running, running, running, running], 0, { tooSmall: { cols: 24, rows: 9 } });
    const { screen } = mount({ ...view, panes: [] });
    const g = await screen();
    const text = Array.from({ length: 5 }, (_, y) => g.rowText(y).trim()).join(' ');
    expect(text).toContain('Too small (20×6)');
    expect(text).toContain('needs 24×9');
    expect(text).toMatch(/or ctrl\+a z:\s+zoom/);
    expect(text).not.toContain('…');
    // The status bar still names the focused pane, hidden as it is.
    expect(g.rowText(5)).toContain('1:shell');
  });
});

describe('App: dialogs', () => {
  /** Renders a view with and without a dialog and returns both screens and the dialog's rectangle. */
  async function withDialog(dialog: Dialog, cols: number, rows: number) {
    const view = makeView(cols, rows, [running, running, running], 1, { mode: 'dialog', dialog });
    const plain = await mount({ ...view, dialog: undefined, mode: 'normal' }).screen();
    const g = await mount(view).screen();
    return { g, plain, rect: dialogRect(dialog, cols, rows) };
  }

  /** Cells outside the dialog that differ from the screen without it (the status bar aside). */
  function spill(g: Grid, plain: Grid, rect: Rect): string[] {
    const out: string[] = [];
    for (let y = 0; y < g.height - 1; y++) {
      for (let x = 0; x < g.width; x++) {
        if (x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height) continue;
        const i = y * g.width + x;
        if (g.char(i) !== plain.char(i)) out.push(`(${x},${y}) ${JSON.stringify(g.char(i))}`);
      }
    }
    return out.slice(0, 10);
  }

  /** Every line of the help, read by scrolling the dialog from top to bottom. */
  async function readHelp(cols: number, rows: number): Promise<{ text: string; pages: Grid[]; rect: Rect }> {
    const { helpLines: lines } = await import('../../src/workspace/help.js');
    const { helpViewport } = await import('../../src/workspace/geometry.js');
    const port = helpViewport(cols, rows);
    const total = lines(helpSections(keymap), port.width).length;
    const pages: Grid[] = [];
    const body: string[] = [];
    for (let scroll = 0; ; scroll = Math.min(scroll + port.rows, Math.max(0, total - port.rows))) {
      const { g } = await withDialog({ kind: 'help', scroll }, cols, rows);
      pages.push(g);
      // The help's lines start below the frame's top and its one-line introduction.
      for (let i = 0; i < port.rows; i++) body[scroll + i] = g.rowText(2 + i).replace(/^│ /, '').replace(/ *│$/, '');
      if (scroll + port.rows >= total) break;
    }
    return { text: body.join('\n'), pages, rect: dialogRect({ kind: 'help', scroll: 0 }, cols, rows) };
  }

  it('help reads whole at 80x24: every command with its key, its config name and its whole description', async () => {
    const { text } = await readHelp(80, 24);
    const words = (t: string) => t.replace(/\s+/g, ' ');
    const flat = words(text);
    for (const s of helpSections(keymap)) {
      expect(flat).toContain(s.category);
      for (const e of s.entries) {
        expect(flat, e.command).toContain(e.command);
        // Wrapped, never cut: the whole description is there, word for word.
        expect(flat, e.command).toContain(words(e.description));
      }
    }
    expect(flat).not.toContain('…');
    // Every command of the keymap is in the help: directly, or folded into "Focus pane N".
    const listed = new Set(helpSections(keymap).flatMap((s) => s.entries.map((e) => e.command)));
    for (const c of COMMANDS) expect(listed.has(c.name) || (/^pane\.focus\d$/.test(c.name) && listed.has('pane.focus1-9')), c.name).toBe(true);
  });

  it('help covers the whole pane area, so nothing of the panes behind shows at its edges', async () => {
    const { pages, rect } = await readHelp(80, 24);
    expect(rect).toEqual({ x: 0, y: 0, width: 80, height: 23 });
    expect(pages[0].rowText(0).startsWith('╭─ Keys ')).toBe(true);
    expect(pages[0].rowText(22).startsWith('╰')).toBe(true);
    expect(pages[0].rowText(21)).toMatch(/esc closes · ↓\d+ ↑↓ PgUp PgDn scroll/);
  });

  it('help keeps keys, config names and descriptions in their columns', async () => {
    const { g } = await withDialog({ kind: 'help', scroll: 0 }, 100, 56);
    const text = Array.from({ length: g.height }, (_, y) => g.rowText(y)).join('\n');
    expect(text).toMatch(/│ z +pane\.zoom +Zoom the focused pane, or go back to all panes/);
    expect(text).toMatch(/│ 1-9 +pane\.focus1-9 +Focus pane N/);
  });

  it('confirm shows its question and the y/n keys, inside the dialog', async () => {
    const dialog: Dialog = { kind: 'confirm', action: 'close', paneId: 11, text: 'Close pane 2 (claude) and stop it?' };
    const { g, plain, rect } = await withDialog(dialog, 80, 24);
    const rows = Array.from({ length: rect.height }, (_, k) => rowIn(g, rect, rect.y + k));
    expect(rows[0].startsWith('╭─ Confirm ')).toBe(true);
    expect(rows[1]).toMatch(/^│ Close pane 2 \(claude\) and stop it\? +│$/);
    expect(rows.some((r) => r.includes('y yes · n no'))).toBe(true);
    expect(rows.at(-1)!.startsWith('╰')).toBe(true);
    const y = findText(g, 'y yes')!;
    expect(cell(g, y.x, y.y).fg).toBe(YELLOW);
    expect(spill(g, plain, rect)).toEqual([]);
    // The status bar says how to leave.
    expect(g.rowText(23)).toContain('DIALOG');
    expect(g.rowText(23)).toContain('esc closes');
  });

  it('a long question wraps inside the dialog and the y/n keys stay visible', async () => {
    const text = 'Quit? 7 still running (shell, claude, codex-with-a-long-name, aider-another-long-name, gemini, opencode, shell-2) will be stopped.';
    const { g, plain, rect } = await withDialog({ kind: 'confirm', action: 'quit', text }, 60, 20);
    const inside = Array.from({ length: rect.height }, (_, k) => rowIn(g, rect, rect.y + k));
    expect(inside.some((r) => r.includes('y yes · n no'))).toBe(true);
    expect(inside.at(-1)!.startsWith('╰')).toBe(true);
    expect(inside.join(' ').replace(/[│ ]+/g, ' ')).toContain('will be stopped.');
    expect(spill(g, plain, rect)).toEqual([]);
  });

  it('picker lists the options numbered, the selected one highlighted', async () => {
    const dialog: Dialog = {
      kind: 'picker',
      selected: 1,
      options: [
        { preset: 'shell', label: 'shell', note: 'your login shell' },
        { preset: 'claude', label: 'claude', note: 'Claude Code' },
        { preset: 'codex', label: 'codex', note: 'not installed' },
      ],
    };
    const { g, plain, rect } = await withDialog(dialog, 80, 24);
    const rows = Array.from({ length: rect.height }, (_, k) => rowIn(g, rect, rect.y + k));
    expect(rows[0].startsWith('╭─ New pane ')).toBe(true);
    expect(rows[1]).toMatch(/^│ 1 shell {6}your login shell +│$/);
    expect(rows[2]).toMatch(/^│ 2 claude {5}Claude Code +│$/);
    expect(rows[3]).toMatch(/^│ 3 codex {6}not installed +│$/);
    expect(rows.some((r) => r.includes('↑↓ choose · enter open · w worktree: no · esc cancel'))).toBe(true);
    const label = (name: string) => {
      const y = rows.findIndex((r) => r.includes(` ${name} `));
      return cell(g, rect.x + rows[y].indexOf(` ${name} `) + 1, rect.y + y);
    };
    expect(label('claude').attrs & ATTR.inverse).toBeTruthy();
    expect(label('shell').attrs & ATTR.inverse).toBeFalsy();
    expect(spill(g, plain, rect)).toEqual([]);
  });
});
