/**
 * The workspace as terminals see it: the chrome drawn by Ink, pane interiors composed over it by the
 * Renderer, and any number of attached terminals (the one the workspace runs in, or clients of the
 * workspace server) whose keys go into the workspace's dispatch.
 *
 * Ink renders the chrome into a virtual stdout in debug mode (each write is one whole frame, and
 * Ink's CI detection cannot swallow it); a ChromeScreen turns that frame into cells; the Renderer
 * lays pane interiors over it and is the only writer to the terminals.
 *
 * Invariants:
 * - the layout follows the size of the terminal that was active last (its input or its resize);
 *   the others see it clipped or padded (renderer.ts);
 * - each terminal has its own key decoder, so a sequence split across reads of one terminal is
 *   never glued to another terminal's keys;
 * - with no terminal attached nothing is composed or written.
 */
import { PassThrough, Writable } from 'node:stream';
import { render, type Instance } from 'ink';
import type { Keymap } from '../config/keymap.js';
import type { Theme } from '../config/theme.js';
import { cellStyle } from '../render/cell-style.js';
import { borderLabel } from '../render/labels.js';
import { Renderer, type Output, type Scene } from '../render/renderer.js';
import { Surface } from './surface.js';
import { ChromeScreen } from '../terminal/chrome-screen.js';
import { InputTokenizer } from '../terminal/input.js';
import { noteInput } from '../terminal/reclaim.js';
import { App } from '../ui/App.js';
import type { UiEnv } from '../ui/context.js';
import { dialogRect } from '../workspace/geometry.js';
import { isWheel } from '../workspace/mouse.js';
import { helpSections } from '../workspace/help.js';
import { scrollPosition } from '../workspace/views.js';
import type { Workspace } from '../workspace/workspace.js';

/** How long after a keystroke a pane's output counts as its echo and is drawn at once. */
const ECHO_WINDOW_MS = 100;
/** A key sequence cut off at the end of a read is completed by the next one; if none comes, it was keys. */
const KEY_FLUSH_MS = 50;

/** A terminal the workspace draws to and reads keys from. */
export interface TerminalLink extends Output {
  /** Rings the terminal's bell (between frames). */
  bell(): void;
  /** Lets the terminal go on prefix+d (a client of the workspace server); absent when it cannot leave. */
  detach?(): void;
}

/** What the caller feeds into an attached terminal's side of the workspace. */
export interface Attachment {
  /** Bytes the person typed in that terminal. */
  input(chunk: string): void;
  /** That terminal changed size. */
  resized(): void;
  detach(): void;
}

export interface FrontendOptions {
  workspace: Workspace;
  theme: Theme;
  keymap: Keymap;
  /** Ring the bell when an agent starts waiting for the person (config attention.bell). */
  bell?: boolean;
}

export class Frontend {
  readonly renderer: Renderer;
  private readonly chrome: ChromeScreen;
  /**
   * Ink starts with the first terminal: there is nothing to draw before, and its first render then
   * already shows the workspace as that terminal sees it (one render on the way to the first frame,
   * not one at construction and another when the terminal attaches).
   */
  private ink: Instance | undefined;
  private readonly startInk: () => Instance;
  private readonly virtual: Writable & { columns: number; rows: number };
  private readonly links = new Set<TerminalLink>();
  private cols: number;
  private rows: number;
  private lastKeyAt = 0;
  /** When a terminal last sent keys (any key: a prefix command, a dialog's, the board's; a click, not the wheel). */
  private lastInputAt = -Infinity;
  private stopped = false;
  /** The terminal whose keys are being handled right now (prefix+d detaches that one). */
  private active: TerminalLink | undefined;
  /** Ink's listeners: told of changes only while a terminal is attached (nothing is drawn for nobody). */
  private uiListeners = new Set<() => void>();
  /** Changes went by while nobody was attached: the chrome is behind the workspace. */
  private chromeStale = false;
  /** Terminals that attached while the chrome was behind: drawn to once it caught up. */
  private waiting: TerminalLink[] = [];
  private waitTimer: NodeJS.Immediate | undefined;
  /** The scroll position's look: the theme's muted text. */
  private readonly positionStyle: { fg: number; bg: number; attrs: number };

  constructor(private o: FrontendOptions) {
    const ws = o.workspace;
    ({ cols: this.cols, rows: this.rows } = ws.getView());
    this.positionStyle = cellStyle(o.theme.tokens['text.muted']);
    this.renderer = new Renderer(undefined, () => this.scene(), this.cols, this.rows);
    this.chrome = new ChromeScreen(this.cols, this.rows, () => {
      // A chrome that changed right after a key is most likely that key's answer: it does not wait
      // for the frame clock (up to 33 ms), as a pane's echo does not.
      this.renderer.setChrome(this.chrome.grid, performance.now() - this.lastInputAt < ECHO_WINDOW_MS);
      this.showWaiting();
    });
    ws.on('dirty', this.onDirty);
    ws.on('change', this.onChange);
    ws.on('typed', this.onTyped);
    ws.on('attention', this.onAttention);
    ws.on('alert', this.onAttention);
    ws.on('detach', this.onDetach);

    // Ink's stdout: a sink that hands each whole frame to the ChromeScreen.
    const chrome = this.chrome;
    this.virtual = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          chrome.setFrame(String(chunk));
          done();
        },
      }),
      { columns: this.cols, rows: this.rows, isTTY: false },
    );
    const fakeStdin = Object.assign(new PassThrough(), { isTTY: false });
    const prefix = o.keymap.bindingsOf('prefix.send')[0] ?? 'ctrl+a';
    const env: UiEnv = {
      store: {
        subscribe: (cb) => {
          this.uiListeners.add(cb);
          return () => this.uiListeners.delete(cb);
        },
        getView: ws.getView,
      },
      theme: o.theme,
      help: helpSections(o.keymap),
      prefix: prefix === 'prefix' ? 'the prefix' : prefix,
      key: (command) => o.keymap.bindingsOf(command as never)[0] ?? '?',
    };
    // Ink's types want a full tty stream; the sink gives it what it reads (columns, rows, write).
    this.startInk = () => render(<App env={env} />, { stdout: this.virtual as unknown as NodeJS.WriteStream, stdin: fakeStdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false });
  }

  private scene(): Scene {
    const ws = this.o.workspace;
    const view = ws.getView();
    let cursor: Scene['cursor'];
    const visible = ws.visible();
    const f = visible.find((v) => v.pane === ws.focused);
    if (f && !view.dialog && view.mode !== 'scroll') {
      const c = f.pane.cursor();
      if (c && c.x < f.inner.width && c.y < f.inner.height) cursor = { x: f.inner.x + c.x, y: f.inner.y + c.y };
    }
    // The focused pane's scroll position, where tmux's copy mode shows it: drawn here, not by Ink
    // (the title keeps its room free: PaneView.positionWidth).
    const position = view.mode === 'scroll' && f?.pane.scrollMax ? borderLabel(f.inner, scrollPosition(f.pane.scroll, f.pane.scrollMax), this.positionStyle) : undefined;
    return {
      panes: visible.map(({ pane, inner }) => new Surface(pane, inner, pane === ws.focused)),
      overlays: view.dialog ? [dialogRect(view.dialog, view.cols, view.rows)] : [],
      labels: position ? [position] : undefined,
      cursor,
    };
  }

  private onDirty = (pane: unknown) => {
    this.renderer.request(pane === this.o.workspace.focused && performance.now() - this.lastKeyAt < ECHO_WINDOW_MS);
  };

  private onTyped = () => {
    this.lastKeyAt = performance.now();
  };

  private onDetach = () => {
    const t = this.active;
    if (t?.detach) t.detach();
    else this.o.workspace.dispatch({ t: 'say', text: 'this terminal runs the workspace itself: there is nothing to detach from (AGENTS_SERVER=0)' });
  };

  private onAttention = () => {
    // The bell goes between frames (a BEL inside synchronized output is still just a BEL).
    if (this.o.bell !== false) for (const t of this.links) t.bell();
  };

  /** The workspace published: follow its size, then draw. */
  private onChange = () => {
    if (this.links.size === 0) {
      this.chromeStale = true;
      return;
    }
    this.chromeStale = false;
    for (const l of [...this.uiListeners]) l();
    const { cols, rows } = this.o.workspace.getView();
    if (cols !== this.cols || rows !== this.rows) {
      this.cols = cols;
      this.rows = rows;
      this.virtual.columns = cols;
      this.virtual.rows = rows;
      // The renderer first: the chrome hands it the last frame, redrawn at the new size, at once.
      this.renderer.resize(cols, rows);
      this.chrome.resize(cols, rows);
    }
    this.renderer.request();
  };

  get attached(): number {
    return this.links.size;
  }

  /** Draws to the terminals that waited for the chrome to catch up. */
  private showWaiting(): void {
    if (this.waitTimer) clearImmediate(this.waitTimer);
    this.waitTimer = undefined;
    for (const t of this.waiting.splice(0)) if (this.links.has(t)) this.renderer.attach(t);
  }

  /** Starts drawing to `t` and taking its keys; the layout takes its size. */
  attach(t: TerminalLink): Attachment {
    this.links.add(t);
    if (this.chromeStale || !this.ink) {
      // Its first frame would show the chrome as it was when the last terminal left (a mode, a
      // message): it waits for Ink to draw the present one. Ink runs a legacy React root in debug
      // mode, so the store change below is rendered and written within this turn's microtasks; by
      // the next macrotask the chrome is current, whether or not anything on it changed (a chrome
      // that did not change writes nothing new, so waiting for a change cost a 150 ms timeout).
      this.waiting.push(t);
      this.waitTimer ??= setImmediate(() => this.showWaiting());
    } else this.renderer.attach(t);
    const ws = this.o.workspace;
    // Also catches the chrome up: nothing was drawn while nobody looked.
    ws.dispatch({ t: 'clients', count: this.links.size });
    this.ink ??= this.startInk();
    const tokenizer = new InputTokenizer();
    let flushTimer: NodeJS.Timeout | undefined;
    const keys = (events: ReturnType<InputTokenizer['push']>) => {
      this.active = t;
      try {
        for (const ev of events) {
          // A wheel notch is not a key: wheel reports come tens a second, each moving a pane's
          // scroll position, and their frames keep to the frame clock.
          if (ev.kind !== 'mouse' || !isWheel(ev.raw)) this.lastInputAt = performance.now();
          ws.dispatch({ t: 'key', ev });
        }
      } finally {
        this.active = undefined;
      }
    };
    const follow = () => {
      if (t.cols !== this.cols || t.rows !== this.rows) ws.dispatch({ t: 'resize', cols: t.cols, rows: t.rows });
    };
    follow();
    return {
      input: (chunk) => {
        if (this.stopped) return;
        // Every key counts, scroll mode and dialogs too: the memory reclaim's GC waits for a pause.
        noteInput();
        clearTimeout(flushTimer);
        follow();
        keys(tokenizer.push(chunk));
        if (tokenizer.hasPending) flushTimer = setTimeout(() => keys(tokenizer.flush()), KEY_FLUSH_MS);
      },
      resized: () => {
        follow();
        this.renderer.refresh(t);
      },
      detach: () => {
        clearTimeout(flushTimer);
        this.waiting = this.waiting.filter((w) => w !== t);
        if (!this.links.delete(t)) return;
        this.renderer.detach(t);
        if (!this.stopped) ws.dispatch({ t: 'clients', count: this.links.size });
      },
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.waitTimer) clearImmediate(this.waitTimer);
    const ws = this.o.workspace;
    ws.off('dirty', this.onDirty);
    ws.off('change', this.onChange);
    ws.off('typed', this.onTyped);
    ws.off('attention', this.onAttention);
    ws.off('alert', this.onAttention);
    ws.off('detach', this.onDetach);
    this.renderer.stop();
    this.ink?.unmount();
    this.chrome.dispose();
  }
}
