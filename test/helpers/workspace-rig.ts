// A Workspace wired to fake ptys, for the workspace and input-router tests.
import type { Interrupt, PaneSpec } from '../../src/workspace/presets.js';
import type { Pane } from '../../src/workspace/pane.js';
import { Workspace, type WorkspaceOptions } from '../../src/workspace/workspace.js';
import { fakeSpawner, type FakePty } from './fake-pty.js';
import { commandOf, type CommandName } from '../../src/config/keymap.js';
import type { NamedKey } from '../../src/terminal/input.js';
import type { SpawnOptions } from '../../src/terminal/pty.js';

export function paneSpec(name: string, interrupt: Interrupt = 'ctrl-c', extra: Partial<PaneSpec> = {}): PaneSpec {
  return { name, title: name, kind: 'command', command: '/bin/sh', args: [], cwd: process.cwd(), env: {}, interrupt, ...extra };
}

export interface WorkspaceRig {
  ws: Workspace;
  spawner: ReturnType<typeof fakeSpawner>;
  /** The fake pty of a pane (the latest one it spawned). */
  pty(pane: Pane | undefined): FakePty;
  /** Resolves once everything written to the pane's emulator so far is parsed. */
  parsed(pane: Pane): Promise<void>;
  quits: number;
}

const rigs: Workspace[] = [];

export function workspaceRig(
  names: Array<string | PaneSpec>,
  opts: Partial<WorkspaceOptions> = {},
  program: (p: FakePty) => void = () => {},
  pidFor?: (o: SpawnOptions) => number | undefined,
): WorkspaceRig {
  const spawner = fakeSpawner(program, pidFor);
  const ws = new Workspace({
    specs: names.map((n) => (typeof n === 'string' ? paneSpec(n) : n)),
    layout: 'tiled',
    cols: 80,
    rows: 25,
    scrollback: 1000,
    spawn: spawner,
    ...opts,
  });
  ws.start();
  rigs.push(ws);
  // Which fake pty belongs to which pane: matched by pid while the pane runs, remembered after.
  const owner = new Map<Pane, FakePty>();
  const rig: WorkspaceRig = {
    ws,
    spawner,
    quits: 0,
    pty(pane) {
      if (!pane) throw new Error('no pane');
      const pid = pane.terminal.pid;
      const running = spawner.ptys.find((f) => f.pid === pid);
      if (running) owner.set(pane, running);
      const p = owner.get(pane);
      if (!p) throw new Error(`no pty for ${pane.name}`);
      return p;
    },
    parsed: (pane) => pane.terminal.parsed(),
  };
  ws.on('quit', () => rig.quits++);
  return rig;
}

/** Disposes every workspace made by workspaceRig (call from afterEach). */
export async function disposeRigs(): Promise<void> {
  for (const ws of rigs.splice(0)) await ws.shutdown(50);
}

/** Runs a named command (a keymap name, e.g. 'pane.zoom' or 'pane.focus2') through the workspace's dispatch. */
export function run(ws: Workspace, name: CommandName): void {
  ws.dispatch({ t: 'command', command: commandOf(name) });
}

/** Focuses pane `i` (0-based) through the workspace's dispatch. */
export function focus(ws: Workspace, i: number): void {
  ws.dispatch({ t: 'command', command: { id: 'pane.focus', arg: i } });
}

/** Presses a named key (escape, enter, up...) or types a character, as a terminal would send it. */
export function press(ws: Workspace, key: NamedKey | string): void {
  const mods = { ctrl: false, alt: false, shift: false };
  const named = ['escape', 'enter', 'up', 'down', 'left', 'right', 'tab', 'pageup', 'pagedown', 'home', 'end', 'backspace'];
  ws.dispatch({ t: 'key', ev: named.includes(key) ? { kind: 'named', name: key as NamedKey, mods, raw: '' } : { kind: 'char', char: key, mods, raw: key } });
}
