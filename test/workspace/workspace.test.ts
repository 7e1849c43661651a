import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GUESS_BUSY_MS } from '../../src/workspace/activity.js';
import { interior } from '../../src/workspace/layout.js';
import type { PaneView } from '../../src/workspace/workspace.js';
import { disposeRigs, focus, press, run, paneSpec, workspaceRig } from '../helpers/workspace-rig.js';

const wait = { timeout: 5000, interval: 5 };

afterEach(async () => {
  await disposeRigs();
});

const names = (views: PaneView[]) => views.map((v) => v.name);

describe('Workspace: panes and focus', () => {
  it('starts every pane, lays them out and focuses the first', async () => {
    const { ws } = workspaceRig(['a', 'b', 'c']);
    const view = ws.getView();
    expect(names(view.panes)).toEqual(['a', 'b', 'c']);
    expect(view.panes.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(view.focusedId).toBe(ws.panes[0].id);
    expect(view.panes.map((p) => p.focused)).toEqual([true, false, false]);
    expect(view.mode).toBe('normal');
    // Three tiled panes over 80x24 (the last row is the status bar): two on top, one wide below.
    expect(view.panes.map((p) => p.rect)).toEqual([
      { x: 0, y: 0, width: 40, height: 12 },
      { x: 40, y: 0, width: 40, height: 12 },
      { x: 0, y: 12, width: 80, height: 12 },
    ]);
    await vi.waitFor(() => expect(ws.panes.every((p) => p.status.kind === 'running')).toBe(true), wait);
  });

  it('sizes each pane terminal to its interior once the debounce passes', async () => {
    const { ws, pty } = workspaceRig(['a', 'b', 'c']);
    await vi.waitFor(() => {
      for (const { pane, inner } of ws.visible()) {
        expect([pane.terminal.term.cols, pane.terminal.term.rows]).toEqual([inner.width, inner.height]);
        expect([pty(pane).cols, pty(pane).rows]).toEqual([inner.width, inner.height]);
      }
    }, wait);
    ws.dispatch({ t: 'resize', cols: 100, rows: 31 });
    await vi.waitFor(() => expect(ws.panes[2].terminal.term.cols).toBe(98), wait);
    expect(ws.panes[2].terminal.term.rows).toBe(13);
  });

  it('focuses by number, and says so when there is no such pane', () => {
    const { ws } = workspaceRig(['a', 'b', 'c']);
    focus(ws, 2);
    expect(ws.focused?.name).toBe('c');
    expect(ws.getView().focusedId).toBe(ws.panes[2].id);
    run(ws, 'pane.focus2');
    expect(ws.focused?.name).toBe('b');
    run(ws, 'pane.focus7');
    expect(ws.focused?.name).toBe('b');
    expect(ws.getView().message).toBe('no pane 7');
  });

  it('focuses by direction on a 2x2 grid', () => {
    const { ws } = workspaceRig(['a', 'b', 'c', 'd']);
    const go = (cmd: 'pane.focusLeft' | 'pane.focusRight' | 'pane.focusUp' | 'pane.focusDown') => {
      run(ws, cmd);
      return ws.focused?.name;
    };
    expect(go('pane.focusRight')).toBe('b');
    expect(go('pane.focusRight')).toBe('b');
    expect(go('pane.focusDown')).toBe('d');
    expect(go('pane.focusLeft')).toBe('c');
    expect(go('pane.focusUp')).toBe('a');
    expect(go('pane.focusUp')).toBe('a');
  });

  it('focusNext walks all panes and wraps', () => {
    const { ws } = workspaceRig(['a', 'b', 'c']);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      run(ws, 'pane.focusNext');
      seen.push(ws.focused!.name);
    }
    expect(seen).toEqual(['b', 'c', 'a', 'b']);
    run(ws, 'pane.focusLeft');
    expect(ws.focused?.name).toBe('a');
  });

  it('zoom shows the focused pane alone at full size; focus changes while zoomed show the new pane', async () => {
    const { ws } = workspaceRig(['a', 'b', 'c']);
    focus(ws, 1);
    run(ws, 'pane.zoom');
    const full = { x: 0, y: 0, width: 80, height: 24 };
    let visible = ws.visible();
    expect(visible).toHaveLength(1);
    expect(visible[0].pane.name).toBe('b');
    expect(visible[0].rect).toEqual(full);
    expect(visible[0].inner).toEqual(interior(full));
    expect(ws.getView()).toMatchObject({ zoomed: true });
    expect(names(ws.getView().panes)).toEqual(['b']);
    expect(ws.getView().panes[0].number).toBe(2);
    await vi.waitFor(() => expect(ws.panes[1].terminal.term.cols).toBe(78), wait);

    run(ws, 'pane.focusRight');
    visible = ws.visible();
    expect(visible.map((v) => v.pane.name)).toEqual(['c']);
    expect(visible[0].rect).toEqual(full);
    expect(names(ws.getView().panes)).toEqual(['c']);
    await vi.waitFor(() => expect([ws.panes[2].terminal.term.cols, ws.panes[2].terminal.term.rows]).toEqual([78, 22]), wait);
    run(ws, 'pane.focus1');
    expect(ws.visible().map((v) => v.pane.name)).toEqual(['a']);

    run(ws, 'pane.zoom');
    expect(ws.visible()).toHaveLength(3);
    expect(ws.getView().zoomed).toBe(false);
  });

  it('reports when the terminal is too small for the layout, and zoom makes it fit', () => {
    const { ws } = workspaceRig(['a', 'b', 'c', 'd'], { cols: 20, rows: 8 });
    expect(ws.getView().tooSmall).toEqual({ cols: 24, rows: 9 });
    expect(ws.visible()).toEqual([]);
    expect(ws.getView().panes).toEqual([]);
    run(ws, 'pane.zoom');
    expect(ws.getView().tooSmall).toBeUndefined();
    expect(ws.visible()).toHaveLength(1);
  });
});

describe('Workspace: interrupting', () => {
  it('sends ctrl-c to ctrl-c panes and esc to esc panes', async () => {
    const { ws, pty } = workspaceRig([paneSpec('sh', 'ctrl-c'), paneSpec('claude', 'esc')]);
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    await ws.interrupt();
    expect(pty(ws.panes[0]).input).toBe('\x03');
    // It printed nothing, so whether it was working is a guess: the key goes, and it did not exit.
    expect(ws.getView().message).toBe('sh was quiet; Ctrl-C sent');
    focus(ws, 1);
    run(ws, 'agent.interrupt');
    await vi.waitFor(() => expect(pty(ws.panes[1]).input).toBe('\x1b'), wait);
    expect(pty(ws.panes[0]).input).toBe('\x03');
  });

  it('interruptAll reaches every running pane and skips the others', async () => {
    const { ws, pty } = workspaceRig([paneSpec('a', 'ctrl-c'), paneSpec('b', 'esc'), paneSpec('c', 'ctrl-c')]);
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    const c = pty(ws.panes[2]);
    c.exit(0);
    await vi.waitFor(() => expect(ws.panes[2].running).toBe(false), wait);
    await ws.interrupt(true);
    expect(pty(ws.panes[0]).input).toBe('\x03');
    expect(pty(ws.panes[1]).input).toBe('\x1b');
    expect(c.input).toBe('');
    expect(ws.getView().message).toBe('a was quiet; Ctrl-C sent · b was quiet; Esc sent');
  });

  it('says when nothing is running', async () => {
    const { ws, pty } = workspaceRig(['a']);
    await vi.waitFor(() => expect(ws.panes[0].running).toBe(true), wait);
    pty(ws.panes[0]).exit(1);
    await vi.waitFor(() => expect(ws.panes[0].status).toEqual({ kind: 'exited', code: 1, signal: undefined }), wait);
    run(ws, 'agent.interrupt');
    expect(ws.getView().message).toBe('nothing running to interrupt');
  });
});

describe('Workspace: the status of a command, guessed from its output', () => {
  /** A pane printing a line every 20 ms until `stop()`; `last()` is when it last printed. */
  async function printing() {
    const rig = workspaceRig(['cmd']);
    const pane = rig.ws.panes[0];
    await vi.waitFor(() => expect(pane.running).toBe(true), wait);
    const readings = vi.spyOn(pane, 'detect');
    const timer = setInterval(() => rig.pty(pane).output('a line of log\r\n'), 20);
    return { ...rig, pane, readings, stop: () => clearInterval(timer) };
  }
  afterEach(() => vi.restoreAllMocks());

  it('reads a program that keeps printing busy once, not at every burst, and idle once it has been quiet for the guess\'s time', async () => {
    const { pane, readings, stop } = await printing();
    await vi.waitFor(() => expect(pane.activity).toMatchObject({ state: 'busy', source: 'guess' }), wait);
    const atBusy = readings.mock.calls.length;
    // A second of output: read every 100 ms after output, this would be ~10 readings more (one
    // more is allowed, for a machine that stalls the printing past the quiet time).
    await new Promise((r) => setTimeout(r, 1000));
    stop();
    const lastOutput = pane.terminal.lastOutput;
    expect(readings.mock.calls.length - atBusy).toBeLessThanOrEqual(2);
    await vi.waitFor(() => expect(pane.activity?.state).toBe('idle'), { ...wait, timeout: 8000 });
    expect(pane.activity).toMatchObject({ source: 'guess', reason: 'quiet' });
    expect(pane.activity!.since - lastOutput).toBeGreaterThanOrEqual(GUESS_BUSY_MS);
  });

  it('after keys, output is read at once again: a key\'s echo from a busy program reads idle without waiting out the quiet time', async () => {
    const { ws, pane, pty, stop } = await printing();
    await vi.waitFor(() => expect(pane.activity).toMatchObject({ state: 'busy', source: 'guess' }), wait);
    stop();
    press(ws, 'x');
    pty(pane).output('x');
    const echoAt = pane.terminal.lastOutput;
    await vi.waitFor(() => expect(pane.activity?.state).toBe('idle'), { ...wait, timeout: 8000 });
    expect(pane.activity!.since - echoAt).toBeLessThan(GUESS_BUSY_MS);
  });
});

describe('Workspace: closing and quitting', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('close asks first; yes removes the pane and kills its process', async () => {
    // The fake pty stands for a real process (a session of its own, as node-pty makes), so the kill is real.
    const { ws, pty } = workspaceRig(['a', 'b'], {}, () => {}, () => {
      const child = spawnChild('sleep', ['100'], { detached: true, stdio: 'ignore' });
      children.push(child);
      return child.pid;
    });
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    focus(ws, 1);
    const b = ws.panes[1];
    const pid = pty(b).pid;
    expect(alive(pid)).toBe(true);
    run(ws, 'pane.close');
    expect(ws.getView().mode).toBe('dialog');
    expect(ws.getView().dialog).toEqual({ kind: 'confirm', action: 'close', paneId: b.id, text: 'Close pane 2 (b) and stop it?' });
    expect(ws.panes).toHaveLength(2);
    press(ws, 'escape');
    ws.dispatch({ t: 'close-pane', pane: b.id });
    expect(names(ws.getView().panes)).toEqual(['a']);
    expect(ws.focused?.name).toBe('a');
    expect(ws.getView().panes[0].rect).toEqual({ x: 0, y: 0, width: 80, height: 24 });
    const child = children.find((c) => c.pid === pid)!;
    await vi.waitFor(() => expect(child.signalCode).toMatch(/SIGTERM|SIGHUP/), wait);
    expect(alive(pid)).toBe(false);
    expect(ws.panes.map((p) => p.name)).toEqual(['a']);
  });

  it("a closing pane's last reports still reach session memory: the reply it gave just before, its usage", async () => {
    const rig = workspaceRig(['a', paneSpec('lead', 'esc', { kind: 'builtin' })]);
    const { ws } = rig;
    const lead = ws.panes[1];
    await vi.waitFor(() => expect(lead.running).toBe(true), wait);
    const program = rig.pty(lead);
    const heard: string[] = [];
    ws.on('agent', (e) => heard.push(`${e.name}:${e.message.t}`));
    ws.dispatch({ t: 'close-pane', pane: lead.id });
    // Its program is still stopping: what it sent meanwhile is kept, and changes nothing else.
    ws.dispatch({ t: 'agent', pane: lead.id, message: { t: 'history', start: 0, messages: [{ role: 'assistant', content: 'the last reply' }] } });
    ws.dispatch({ t: 'agent', pane: lead.id, message: { t: 'status', status: 'working' } });
    expect(heard).toEqual(['lead:history']);
    expect(ws.panes.map((p) => p.name)).toEqual(['a']);
    // Once it has ended, nothing more is taken from it.
    program.exit(0);
    await vi.waitFor(() => {
      const n = heard.length;
      ws.dispatch({ t: 'agent', pane: lead.id, message: { t: 'history', start: 1, messages: [{ role: 'user', content: 'late' }] } });
      expect(heard.length).toBe(n);
    }, wait);
  });

  it('closing the last pane quits', async () => {
    const rig = workspaceRig(['a']);
    rig.ws.dispatch({ t: 'close-pane', pane: rig.ws.panes[0].id });
    expect(rig.ws.panes).toEqual([]);
    expect(rig.ws.getView().panes).toEqual([]);
    await vi.waitFor(() => expect(rig.quits).toBe(1), wait);
  });

  it('quit asks while an agent is busy or waiting, and quits at once when all are idle', async () => {
    const rig = workspaceRig(['a', 'b', 'c']);
    const { ws } = rig;
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    const read = (i: number, state: 'busy' | 'waiting' | 'idle') => ws.dispatch({ t: 'reading', pane: ws.panes[i].id, reading: { state, source: 'screen', reason: 'test' } });
    read(0, 'busy');
    read(1, 'waiting');
    read(2, 'idle');
    run(ws, 'app.quit');
    expect(ws.getView().dialog).toMatchObject({ kind: 'confirm', action: 'quit', text: 'Quit? a is busy, b needs you; everything will be stopped (the session is saved).' });
    expect(rig.quits).toBe(0);
    press(ws, 'escape');
    read(0, 'idle');
    read(1, 'idle');
    run(ws, 'app.quit');
    expect(rig.quits).toBe(1);
    ws.dispatch({ t: 'quit' });
    expect(rig.quits).toBe(1);
  });
});

describe('Workspace: new panes', () => {
  it('the picker adds a pane from makeSpec with a unique name, focused and running', async () => {
    const made: string[] = [];
    const { ws } = workspaceRig(['shell'], {
      presets: [
        { preset: 'shell', label: 'shell', note: 'your shell' },
        { preset: 'claude', label: 'claude', note: 'not installed' },
      ],
      makeSpec: (preset) => {
        made.push(preset);
        return preset === 'shell' ? paneSpec('shell') : 'claude is not installed';
      },
    });
    run(ws, 'pane.new');
    expect(ws.getView().dialog).toMatchObject({ kind: 'picker', selected: 0 });
    press(ws, 'escape');
    ws.dispatch({ t: 'new-pane', preset: 'shell' });
    expect(made).toEqual(['shell']);
    expect(names(ws.getView().panes)).toEqual(['shell', 'shell-2']);
    expect(ws.focused?.name).toBe('shell-2');
    await vi.waitFor(() => expect(ws.focused?.running).toBe(true), wait);
    // Born at its final size, not resized right after the program drew its first screen.
    const inner = ws.visible()[1].inner;
    expect([ws.focused!.terminal.term.cols, ws.focused!.terminal.term.rows]).toEqual([inner.width, inner.height]);
    ws.dispatch({ t: 'new-pane', preset: 'shell' });
    expect(names(ws.getView().panes)).toEqual(['shell', 'shell-2', 'shell-3']);
    ws.dispatch({ t: 'new-pane', preset: 'claude' });
    expect(ws.getView().message).toBe('claude is not installed');
    expect(ws.panes).toHaveLength(3);
  });

  it('without presets the picker says so', () => {
    const { ws } = workspaceRig(['a']);
    run(ws, 'pane.new');
    expect(ws.getView().dialog).toBeUndefined();
    expect(ws.getView().message).toBe('no presets to choose from');
  });

  it('presets given as a function are looked up when the picker opens, each time', () => {
    let installed = false;
    let asked = 0;
    const presets = () => {
      asked++;
      return [{ preset: 'b', label: 'b', note: installed ? 'b' : 'not installed' }];
    };
    const { ws } = workspaceRig(['a'], { presets });
    // Not on the way to the first frame.
    expect(asked).toBe(0);
    run(ws, 'pane.new');
    expect(ws.getView().dialog).toMatchObject({ kind: 'picker', options: [{ note: 'not installed' }] });
    press(ws, 'escape');
    installed = true;
    run(ws, 'pane.new');
    expect(ws.getView().dialog).toMatchObject({ kind: 'picker', options: [{ note: 'b' }] });
    expect(asked).toBe(2);
  });

  it('adding a pane while zoomed unzooms', () => {
    const { ws } = workspaceRig(['a'], { makeSpec: () => paneSpec('b'), presets: [{ preset: 'b', label: 'b', note: '' }] });
    run(ws, 'pane.zoom');
    ws.dispatch({ t: 'new-pane', preset: 'b' });
    expect(ws.zoomed).toBe(false);
    expect(ws.visible()).toHaveLength(2);
  });

  it('restart starts the focused pane again', async () => {
    const { ws, spawner, pty } = workspaceRig(['a', 'b'], {}, (p) => p.output(`run ${spawner.ptys.length}\r\n`));
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    pty(ws.panes[0]).exit(2);
    await vi.waitFor(() => expect(ws.getView().panes[0].status).toMatchObject({ kind: 'exited', code: 2 }), wait);
    run(ws, 'pane.restart');
    expect(ws.getView().message).toBe('restarting a');
    await vi.waitFor(() => expect(ws.getView().panes[0].status).toEqual({ kind: 'running' }), wait);
    expect(spawner.ptys).toHaveLength(3);
  });
});

describe('Workspace: scroll mode', () => {
  /** A pane with `lines` lines of output in a 10-row interior. */
  async function scrolled(lines: number, scrollback = 1000) {
    const rig = workspaceRig(['a'], { cols: 40, rows: 13, scrollback });
    const { ws } = rig;
    await vi.waitFor(() => expect(ws.panes[0].running).toBe(true), wait);
    const pane = ws.panes[0];
    await vi.waitFor(() => expect(pane.terminal.term.rows).toBe(10), wait);
    let n = 0;
    const print = async (k: number) => {
      let s = '';
      for (let i = 0; i < k; i++) s += `line ${++n}\r\n`;
      rig.pty(pane).output(s);
      await rig.parsed(pane);
    };
    await print(lines);
    /** The text of the top row as painted now. */
    const topRow = () => {
      const b = pane.terminal.term.buffer.active;
      return b.getLine(b.baseY - pane.scroll)?.translateToString(true);
    };
    return { ...rig, pane, print, topRow };
  }

  it('enters only when there is scrollback; scrolls and clamps at both ends', async () => {
    const { ws, pane, topRow } = await scrolled(30);
    // 30 lines and the cursor on the 31st in 10 rows: 21 lines above the screen.
    expect(pane.scrollMax).toBe(21);
    run(ws, 'pane.scroll');
    expect(ws.getView().mode).toBe('scroll');
    // The title keeps room for the position " [21/21] " (the compositor draws it: frontend.tsx).
    expect(ws.getView().panes[0]).toMatchObject({ positionWidth: ' [21/21] '.length + 1 });
    run(ws, 'scroll.up');
    run(ws, 'scroll.up');
    expect(pane.scroll).toBe(2);
    expect(topRow()).toBe('line 20');
    run(ws, 'scroll.pageUp');
    expect(pane.scroll).toBe(2 + 8);
    run(ws, 'scroll.top');
    expect(pane.scroll).toBe(21);
    expect(topRow()).toBe('line 1');
    run(ws, 'scroll.up');
    expect(pane.scroll).toBe(21);
    run(ws, 'scroll.bottom');
    expect(pane.scroll).toBe(0);
    run(ws, 'scroll.down');
    expect(pane.scroll).toBe(0);
    run(ws, 'scroll.up');
    run(ws, 'scroll.exit');
    expect(ws.getView().mode).toBe('normal');
    expect(pane.scroll).toBe(0);
    expect(ws.getView().panes[0]).toMatchObject({ positionWidth: 0 });
  });

  it('says so when there is nothing to scroll', async () => {
    const { ws } = await scrolled(3);
    run(ws, 'pane.scroll');
    expect(ws.getView().mode).toBe('normal');
    expect(ws.getView().message).toBe('no scrollback in this pane');
  });

  it('new output does not move the text being read', async () => {
    const { ws, pane, print, topRow } = await scrolled(30);
    run(ws, 'pane.scroll');
    for (let i = 0; i < 5; i++) run(ws, 'scroll.up');
    expect(topRow()).toBe('line 17');
    await print(7);
    expect(pane.scroll).toBe(12);
    expect(topRow()).toBe('line 17');
    // Not scrolled back: output scrolls the screen as usual.
    run(ws, 'scroll.bottom');
    await print(3);
    expect(pane.scroll).toBe(0);
  });

  // BUG (src/workspace/pane.ts, followOutput): once the scrollback is full, baseY stops growing while
  // old lines are trimmed, so `scrollMax` does not change and the scroll offset is not adjusted: the
  // text being read slides up under the reader with every new line. Fix: keep the offset anchored
  // to a line, e.g. an xterm marker (`term.registerMarker`) at the top visible line, and derive
  // `scroll` as `baseY - marker.line` (clamped to the top when the marker is trimmed away).
  it('new output does not move the text being read when the scrollback is full', async () => {
    const { ws, print, topRow } = await scrolled(200, 50);
    run(ws, 'pane.scroll');
    for (let i = 0; i < 20; i++) run(ws, 'scroll.up');
    const before = topRow();
    await print(5);
    expect(topRow()).toBe(before);
  });

  it('leaving scroll mode by focusing another pane returns it to the bottom', async () => {
    const rig = workspaceRig(['a', 'b'], { cols: 80, rows: 13 });
    const { ws } = rig;
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    rig.pty(ws.panes[0]).output('x\r\n'.repeat(40));
    await rig.parsed(ws.panes[0]);
    run(ws, 'pane.scroll');
    run(ws, 'scroll.up');
    expect(ws.panes[0].scroll).toBe(1);
    run(ws, 'pane.focus2');
    expect(ws.getView().mode).toBe('normal');
    expect(ws.panes[0].scroll).toBe(0);
  });
});

describe('Workspace: views', () => {
  it('reuses a PaneView object while its pane did not change', async () => {
    const { ws, pty } = workspaceRig(['a', 'b', 'c']);
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    const v1 = ws.getView();
    ws.publish();
    const v2 = ws.getView();
    expect(v2).not.toBe(v1);
    v2.panes.forEach((p, i) => expect(p).toBe(v1.panes[i]));

    // Focus moves from a to b: a and b get new views, c keeps its own.
    focus(ws, 1);
    const v3 = ws.getView();
    expect(v3.panes[0]).not.toBe(v2.panes[0]);
    expect(v3.panes[1]).not.toBe(v2.panes[1]);
    expect(v3.panes[2]).toBe(v2.panes[2]);

    // A status change touches only that pane.
    pty(ws.panes[2]).exit(4);
    await vi.waitFor(() => expect(ws.getView().panes[2].status.kind).toBe('exited'), wait);
    const v4 = ws.getView();
    expect(v4.panes[0]).toBe(v3.panes[0]);
    expect(v4.panes[1]).toBe(v3.panes[1]);
    expect(v4.panes[2]).not.toBe(v3.panes[2]);

    // A message changes the view but no pane.
    ws.dispatch({ t: 'say', text: 'hello' });
    const v5 = ws.getView();
    expect(v5.message).toBe('hello');
    v5.panes.forEach((p, i) => expect(p).toBe(v4.panes[i]));
  });

  it('emits change on publish and dirty when a pane has new output', async () => {
    const { ws, pty, parsed } = workspaceRig(['a', 'b']);
    await vi.waitFor(() => expect(ws.panes.every((p) => p.running)).toBe(true), wait);
    let changes = 0;
    const dirty: string[] = [];
    ws.on('change', () => changes++);
    ws.on('dirty', (p) => dirty.push(p.name));
    focus(ws, 1);
    expect(changes).toBe(1);
    pty(ws.panes[1]).output('hi');
    await parsed(ws.panes[1]);
    expect(dirty).toContain('b');
    expect(dirty).not.toContain('a');
    expect(ws.panes[1].dirty).toBe(true);
  });
});
