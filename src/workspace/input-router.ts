/**
 * Routes key events by scope: dialog > prefix > scroll > pane. Keys no scope claims go to the
 * focused pane's pty, encoded for that program's terminal modes.
 */
import { COMMANDS, type CommandName, type Keymap } from '../config/keymap.js';
import { encodeKey } from '../terminal/encode.js';
import type { KeyEvent } from '../terminal/input.js';
import { runCommand } from './commands.js';
import { handleMouse, parseSgrMouse } from './mouse.js';
import { Editor as LineEditor } from '../terminal/line-editor.js';
import type { Dialog, Workspace } from './workspace.js';

export class InputRouter {
  private prefixFrom: 'normal' | 'scroll' = 'normal';
  /** The prompt bar's editor; kept between prompts so Up recalls earlier instructions. */
  private editor = new LineEditor();

  constructor(
    private ws: Workspace,
    private keymap: Keymap,
    /** Told after bytes went to a pane, so the renderer can show the echo at once. */
    private onSent: () => void = () => {},
  ) {}

  handle(ev: KeyEvent): void {
    const ws = this.ws;
    if (ev.kind === 'mouse') {
      // Reports of the terminal's mouse (which the workspace asked for); never typed anywhere as such.
      const m = parseSgrMouse(ev.raw);
      if (m && handleMouse(ws, m)) this.onSent();
      return;
    }
    if (ws.message && ws.mode !== 'prefix') ws.say(undefined);
    switch (ws.mode) {
      case 'dialog':
        return this.dialogKey(ws.dialog!, ev);
      case 'prefix':
        return this.prefixKey(ev);
      case 'scroll':
        if (this.keymap.isPrefix(ev)) return this.enterPrefix('scroll');
        {
          const cmd = this.keymap.lookup('scroll', ev);
          if (cmd) runCommand(ws, cmd);
          else ws.publish();
        }
        return;
      default:
        if (this.keymap.isPrefix(ev)) return this.enterPrefix('normal');
        this.send(ev);
    }
  }

  private enterPrefix(from: 'normal' | 'scroll'): void {
    this.prefixFrom = from;
    this.ws.mode = 'prefix';
    this.ws.message = undefined;
    this.ws.publish();
  }

  private prefixKey(ev: KeyEvent): void {
    const ws = this.ws;
    ws.mode = this.prefixFrom;
    ws.message = undefined;
    if (this.keymap.isPrefix(ev)) {
      // Prefix twice: the program gets one literal prefix key.
      ws.publish();
      return this.send(ev);
    }
    const cmd = this.keymap.lookup('prefix', ev);
    if (!cmd) {
      ws.say(`${describe(ev)} is not bound. ${this.keymap.bindingsOf('app.help')[0] ? `${this.prefixLabel()} ${this.keymap.bindingsOf('app.help')[0]} lists the keys.` : ''}`);
      return;
    }
    if (ws.mode === 'scroll' && !cmd.startsWith('scroll.') && cmd !== 'pane.scroll') ws.leaveScroll();
    runCommand(ws, cmd, reservedNoteOf(cmd));
    if (ws.mode === this.prefixFrom || ws.mode === 'normal') ws.publish();
  }

  prefixLabel(): string {
    return this.keymap.bindingsOf('prefix.send')[0] ?? 'prefix';
  }

  private send(ev: KeyEvent): void {
    const pane = this.ws.focused;
    if (!pane) return;
    if (!pane.running) {
      const hint = pane.spec.command ? ` ${this.prefixLabel()} ${this.keymap.bindingsOf('pane.restart')[0] ?? ''} restarts it.` : '';
      this.ws.say(`${pane.name} is not running.${hint}`);
      return;
    }
    pane.type(encodeKey(ev, pane.terminal.modes));
    this.onSent();
  }

  private promptKey(d: Extract<Dialog, { kind: 'prompt' }>, ev: KeyEvent): void {
    const ws = this.ws;
    if (d.text === '' && this.editor.text !== '') this.editor.clear();
    if (ev.kind === 'named' && ev.name === 'escape') return ws.closeDialog();
    const r = this.editor.key(ev);
    if (r.kind === 'submit') {
      ws.closeDialog();
      void ws.redirect(d.target, r.text);
    } else if (r.kind === 'edit') {
      ws.openDialog({ ...d, text: this.editor.text, cursor: this.editor.cursor });
    }
  }

  private dialogKey(d: Dialog, ev: KeyEvent): void {
    const ws = this.ws;
    const name = ev.kind === 'named' ? ev.name : ev.kind === 'char' && !ev.mods.ctrl && !ev.mods.alt ? ev.char : undefined;
    if (d.kind === 'help') {
      if (name === 'escape' || name === 'q' || name === '?' || name === 'enter') ws.closeDialog();
      return;
    }
    if (d.kind === 'confirm') {
      if (name === 'y' || name === 'Y') {
        ws.closeDialog();
        if (d.action === 'quit') ws.quit();
        else if (d.paneId !== undefined) void ws.closePane(d.paneId);
      } else if (name === 'n' || name === 'N' || name === 'escape' || name === 'q') {
        ws.closeDialog();
      }
      return;
    }
    if (d.kind === 'prompt') return this.promptKey(d, ev);
    // Preset picker.
    const n = d.options.length;
    if (name === 'escape' || name === 'q') return ws.closeDialog();
    if (name === 'up' || name === 'k') return ws.openDialog({ ...d, selected: (d.selected - 1 + n) % n });
    if (name === 'down' || name === 'j' || name === 'tab') return ws.openDialog({ ...d, selected: (d.selected + 1) % n });
    let pick: number | undefined;
    if (name === 'enter') pick = d.selected;
    else if (name && /^[1-9]$/.test(name) && Number(name) <= n) pick = Number(name) - 1;
    if (pick !== undefined) {
      ws.closeDialog();
      ws.newFromPreset(d.options[pick].preset);
    }
  }
}

function reservedNoteOf(cmd: CommandName): string | undefined {
  return COMMANDS.find((c) => c.name === cmd)?.reserved;
}

function describe(ev: KeyEvent): string {
  if (ev.kind === 'char') return `${ev.mods.ctrl ? 'ctrl+' : ''}${ev.mods.alt ? 'alt+' : ''}${ev.char}`;
  if (ev.kind === 'named') return `${ev.mods.ctrl ? 'ctrl+' : ''}${ev.mods.alt ? 'alt+' : ''}${ev.mods.shift ? 'shift+' : ''}${ev.name}`;
  return 'that key';
}
