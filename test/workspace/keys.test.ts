import { until } from '../helpers/term.js';
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildKeymap, type Keymap } from '../../src/config/keymap.js';
import { InputTokenizer } from '../../src/terminal/input.js';
import { disposeRigs, focus, paneSpec, workspaceRig } from '../helpers/workspace-rig.js';

const wait = { timeout: 5000, interval: 5 };

afterEach(async () => {
  await disposeRigs();
});

function keymap(opts?: Parameters<typeof buildKeymap>[0]): Keymap {
  const { keymap, errors } = buildKeymap(opts);
  expect(errors).toEqual([]);
  return keymap!;
}

/** A workspace with running fake panes and a router fed raw terminal input, as stdin would deliver it. */
async function setup(
  specs: Parameters<typeof workspaceRig>[0] = ['a', 'b'],
  opts: Parameters<typeof workspaceRig>[1] = {},
  km = keymap(),
  pidFor?: Parameters<typeof workspaceRig>[3],
) {
  const rig = workspaceRig(specs, { ...opts, keymap: km }, () => {}, pidFor);
  await vi.waitFor(() => expect(rig.ws.panes.every((p) => p.running)).toBe(true), wait);
  let sent = 0;
  rig.ws.on('typed', () => sent++);
  const tokenizer = new InputTokenizer();
  const type = (...chunks: string[]) => {
    for (const c of chunks) for (const ev of tokenizer.push(c)) rig.ws.dispatch({ t: 'key', ev });
    for (const ev of tokenizer.flush()) rig.ws.dispatch({ t: 'key', ev });
  };
  // Object.assign, not a spread: `quits` is counted live on the rig.
  return Object.assign(rig, { type, sent: () => sent, input: (i = rig.ws.panes.indexOf(rig.ws.focused!)) => rig.pty(rig.ws.panes[i]).input });
}

const CTRL_A = '\x01';

describe('Keys: keys to the focused pane', () => {
  it('sends unbound keys byte-exact to the focused pane only', async () => {
    const t = await setup();
    const keys = ['hello', ' wörld 😀 中文', '\r', '\x7f', '\t', '\x1b[3~', '\x1b[1;5C', '\x03', '\x1bx', '\x1b[200~pasted\ntext\x1b[201~'];
    t.type(...keys);
    expect(t.input(0)).toBe(keys.join('').replace('\x1b[200~pasted\ntext\x1b[201~', 'pasted\ntext'));
    expect(t.input(1)).toBe('');
    expect(t.sent()).toBeGreaterThan(0);
  });

  it('follows focus', async () => {
    const t = await setup();
    t.type('one');
    focus(t.ws, 1);
    t.type('two');
    expect(t.input(0)).toBe('one');
    expect(t.input(1)).toBe('two');
  });

  it('re-encodes arrows for a program in application cursor mode, and back', async () => {
    const t = await setup();
    const pane = t.ws.panes[0];
    t.type('\x1b[A', '\x1bOB');
    expect(t.input()).toBe('\x1b[A\x1b[B');
    t.pty(pane).output('\x1b[?1h');
    await t.parsed(pane);
    t.type('\x1b[A', '\x1bOB', '\x1b[H', '\x1b[1;2A');
    // Modified arrows keep their CSI 1;m form in every mode.
    expect(t.input().slice(6)).toBe('\x1bOA\x1bOB\x1bOH\x1b[1;2A');
    t.pty(pane).output('\x1b[?1l');
    await t.parsed(pane);
    t.type('\x1bOD');
    expect(t.input().endsWith('\x1b[D')).toBe(true);
  });

  it('wraps pastes in bracketed-paste markers only for a program that asked for them', async () => {
    const t = await setup();
    const pane = t.ws.panes[0];
    t.pty(pane).output('\x1b[?2004h');
    await t.parsed(pane);
    t.type('\x1b[200~line 1\nline 2\x1b[201~');
    expect(t.input()).toBe('\x1b[200~line 1\nline 2\x1b[201~');
  });

  it('keys for a pane whose program ended give a message instead', async () => {
    const t = await setup();
    t.pty(t.ws.panes[0]).exit(0);
    await vi.waitFor(() => expect(t.ws.panes[0].running).toBe(false), wait);
    t.type('x');
    expect(t.ws.getView().message).toBe('a is not running. ctrl+a R restarts it.');
  });
});

describe('Keys: the prefix', () => {
  it('prefix enters prefix mode, visible in the view; the next key runs a command', async () => {
    const t = await setup();
    t.type(CTRL_A);
    expect(t.ws.getView().mode).toBe('prefix');
    t.type('2');
    expect(t.ws.getView().mode).toBe('normal');
    expect(t.ws.focused?.name).toBe('b');
    t.type(CTRL_A, 'o');
    expect(t.ws.focused?.name).toBe('a');
    t.type(CTRL_A, '\x1b[C'); // right arrow after the prefix
    expect(t.ws.focused?.name).toBe('b');
    expect(t.input(0) + t.input(1)).toBe('');
  });

  it('prefix then an unbound key gives a message and sends nothing', async () => {
    const t = await setup();
    t.type(CTRL_A, 'w');
    const view = t.ws.getView();
    expect(view.mode).toBe('normal');
    expect(view.message).toBe('ctrl+a w is not bound. ctrl+a ? lists the keys.');
    expect(t.input()).toBe('');
    t.type('k');
    expect(t.input()).toBe('k');
  });

  it('a message goes away with the next key typed into the pane', async () => {
    const t = await setup();
    t.type(CTRL_A, 'w');
    expect(t.ws.getView().message).toBe('ctrl+a w is not bound. ctrl+a ? lists the keys.');
    t.type('k');
    expect(t.input()).toBe('k');
    expect(t.ws.getView().message).toBeUndefined();
  });

  it('prefix twice sends one literal ctrl-a to the focused pane', async () => {
    const t = await setup();
    focus(t.ws, 1);
    t.type(CTRL_A, CTRL_A);
    expect(t.input(1)).toBe(CTRL_A);
    expect(t.input(0)).toBe('');
    expect(t.ws.getView().mode).toBe('normal');
    // Both in one read, as a fast double tap arrives.
    t.type(CTRL_A + CTRL_A + 'z');
    expect(t.input(1)).toBe(CTRL_A + CTRL_A + 'z');
  });

  it('a custom prefix works the same way', async () => {
    const t = await setup(['a', 'b'], {}, keymap({ prefix: 'ctrl+b' }));
    t.type(CTRL_A);
    expect(t.input()).toBe(CTRL_A);
    t.type('\x02', '2');
    expect(t.ws.focused?.name).toBe('b');
    t.type('\x02', '\x02');
    expect(t.input(1)).toBe('\x02');
  });

  it('prefix+a with nobody waiting says so', async () => {
    const t = await setup();
    t.type(CTRL_A, 'a');
    expect(t.ws.getView().message).toBe('no agent is waiting for you');
  });

  it('prefix+a focuses the agent that has waited longest', async () => {
    const t = await setup(['a', 'b', 'c']);
    const [, b, c] = t.ws.panes;
    t.ws.dispatch({ t: 'agent', pane: c.id, message: { t: 'status', status: 'approval' } });
    t.ws.dispatch({ t: 'agent', pane: b.id, message: { t: 'status', status: 'approval' } });
    t.type(CTRL_A, 'a');
    expect(t.ws.focused?.name).toBe('c');
    t.ws.dispatch({ t: 'agent', pane: c.id, message: { t: 'status', status: 'thinking' } });
    t.type(CTRL_A, 'a');
    expect(t.ws.focused?.name).toBe('b');
  });

  it('redirect opens a prompt bar; Enter interrupts the pane and types the instruction', async () => {
    const t = await setup([paneSpec('sh', 'ctrl-c')]);
    t.type(CTRL_A, 'r');
    expect(t.ws.getView().dialog).toMatchObject({ kind: 'prompt', target: 'focused' });
    t.type('fix it');
    expect(t.ws.getView().dialog).toMatchObject({ kind: 'prompt', text: 'fix it' });
    t.type('\r');
    expect(t.ws.getView().dialog).toBeUndefined();
    // The pane is quiet, so nothing to interrupt: the text, then Enter after a pause (programs read a
    // fast Enter as a newline); the program answering shows the turn started.
    await until(() => t.input(0) === 'fix it', { message: 'the text' });
    await until(() => t.input(0).endsWith('\r'), { message: 'Enter after the text' });
    expect(t.input(0)).toBe('fix it\r');
    t.pty(t.ws.panes[0]).output('working on it\r\n');
    await until(() => t.ws.getView().message === 'sh: sent', { message: 'reported as sent' });
  });

  it('interrupt and interrupt-all through the keys', async () => {
    const t = await setup([paneSpec('sh', 'ctrl-c'), paneSpec('claude', 'esc')]);
    t.type(CTRL_A, 'i');
    await until(() => t.input(0) === '\x03', { message: 'Ctrl-C to the focused pane' });
    t.type(CTRL_A, 'I');
    await until(() => t.input(0) === '\x03\x03' && t.input(1) === '\x1b', { message: 'the interrupt key to every pane' });
  });

  it('zoom through the keys', async () => {
    const t = await setup(['a', 'b', 'c']);
    t.type(CTRL_A, 'z');
    expect(t.ws.visible().map((v) => v.pane.name)).toEqual(['a']);
    t.type(CTRL_A, 'o');
    expect(t.ws.visible().map((v) => v.pane.name)).toEqual(['b']);
    t.type(CTRL_A, 'z');
    expect(t.ws.visible()).toHaveLength(3);
  });
});

describe('Keys: dialogs', () => {
  it('close: n keeps the pane, y removes it and kills it', async () => {
    // Each fake pty stands for a real process in a session of its own (as node-pty makes), so the kill is real.
    const children: ChildProcess[] = [];
    const t = await setup(['a', 'b'], {}, keymap(), () => {
      const child = spawnChild('sleep', ['100'], { detached: true, stdio: 'ignore' });
      children.push(child);
      return child.pid;
    });
    try {
      focus(t.ws, 1);
      t.type(CTRL_A, 'x');
      expect(t.ws.getView().dialog).toMatchObject({ kind: 'confirm', action: 'close' });
      t.type('hello'); // other keys do nothing while the dialog is open
      expect(t.ws.getView().dialog).toBeDefined();
      expect(t.input(1)).toBe('');
      t.type('n');
      expect(t.ws.getView().dialog).toBeUndefined();
      expect(t.ws.panes).toHaveLength(2);
      t.type(CTRL_A, 'x', 'y');
      expect(t.ws.getView().mode).toBe('normal');
      expect(t.ws.getView().panes.map((p) => p.name)).toEqual(['a']);
      await vi.waitFor(() => expect(children[1].signalCode).toMatch(/SIGTERM|SIGHUP/), wait);
      expect(children[0].signalCode).toBeNull();
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  });

  it('quit: asks while an agent is busy, and y emits quit', async () => {
    const t = await setup();
    t.ws.dispatch({ t: 'reading', pane: t.ws.panes[0].id, reading: { state: 'busy', source: 'screen', reason: 'test' } });
    t.type(CTRL_A, 'q');
    expect(t.ws.getView().dialog).toMatchObject({ kind: 'confirm', action: 'quit' });
    t.type('\x1b');
    expect(t.ws.getView().dialog).toBeUndefined();
    expect(t.quits).toBe(0);
    t.type(CTRL_A, 'q', 'y');
    expect(t.quits).toBe(1);
  });

  it('the picker: arrows move the selection, enter or a digit adds a pane with a unique name', async () => {
    const made: string[] = [];
    const t = await setup(['shell'], {
      presets: [
        { preset: 'shell', label: 'shell', note: '' },
        { preset: 'other', label: 'other', note: '' },
      ],
      makeSpec: (preset) => {
        made.push(preset);
        return paneSpec(preset);
      },
    });
    t.type(CTRL_A, 'c');
    expect(t.ws.getView().dialog).toMatchObject({ kind: 'picker', selected: 0 });
    t.type('\x1b[B');
    expect(t.ws.getView().dialog).toMatchObject({ selected: 1 });
    t.type('\x1b[B');
    expect(t.ws.getView().dialog).toMatchObject({ selected: 0 });
    t.type('\x1b[A');
    expect(t.ws.getView().dialog).toMatchObject({ selected: 1 });
    t.type('\x1b[A', '\r');
    expect(t.ws.getView().dialog).toBeUndefined();
    expect(t.ws.getView().panes.map((p) => p.name)).toEqual(['shell', 'shell-2']);
    t.type(CTRL_A, 'c', '2');
    t.type(CTRL_A, 'c', '1');
    expect(made).toEqual(['shell', 'other', 'shell']);
    expect(t.ws.getView().panes.map((p) => p.name)).toEqual(['shell', 'shell-2', 'other', 'shell-3']);
    expect(t.ws.focused?.name).toBe('shell-3');
    t.type(CTRL_A, 'c', '9'); // no ninth option: stays open
    expect(t.ws.getView().dialog?.kind).toBe('picker');
    t.type('q');
    expect(t.ws.getView().dialog).toBeUndefined();
  });

  it('help opens with ? and closes with escape', async () => {
    const t = await setup();
    t.type(CTRL_A, '?');
    expect(t.ws.getView()).toMatchObject({ mode: 'dialog', dialog: { kind: 'help' } });
    t.type('\x1b');
    expect(t.ws.getView().mode).toBe('normal');
  });
});

describe('Keys: scroll mode', () => {
  async function withHistory(): ReturnType<typeof setup> {
    const t = await setup(['a'], { cols: 40, rows: 13 });
    const pane = t.ws.panes[0];
    await vi.waitFor(() => expect(pane.terminal.term.rows).toBe(10), wait);
    t.pty(pane).output(Array.from({ length: 50 }, (_, i) => `l${i + 1}`).join('\r\n'));
    await t.parsed(pane);
    return t;
  }

  it('scroll keys move through history, other keys do not reach the pane, q leaves', async () => {
    const t = await withHistory();
    const pane = t.ws.panes[0];
    t.type(CTRL_A, '[');
    expect(t.ws.getView().mode).toBe('scroll');
    t.type('k', 'k', '\x1b[A');
    expect(pane.scroll).toBe(3);
    t.type('j');
    expect(pane.scroll).toBe(2);
    t.type('g');
    expect(pane.scroll).toBe(pane.scrollMax);
    t.type('G');
    expect(pane.scroll).toBe(0);
    t.type('k', 'x', 'hello');
    expect(t.input()).toBe('');
    expect(t.ws.getView().mode).toBe('scroll');
    t.type('q');
    expect(t.ws.getView().mode).toBe('normal');
    expect(pane.scroll).toBe(0);
    t.type('x');
    expect(t.input()).toBe('x');
  });

  it('the prefix works in scroll mode and returns to it; a pane command leaves it', async () => {
    const t = await withHistory();
    t.type(CTRL_A, '[', 'k');
    t.type(CTRL_A, 'w');
    expect(t.ws.getView().mode).toBe('scroll');
    t.type(CTRL_A, '?');
    expect(t.ws.getView().mode).toBe('dialog');
    expect(t.ws.panes[0].scroll).toBe(0);
  });
});
