/**
 * The workspace as terminals see it: the chrome (frames and status bar painted from the view, Ink's
 * overlays over them: chrome.ts), pane interiors composed over it by the Renderer, and any number of
 * attached terminals (the one the workspace runs in, or clients of the workspace server) whose keys
 * go into the workspace's dispatch.
 *
 * Ink renders the overlays into a virtual stdout in debug mode (each write is one whole frame); it
 * is loaded when an overlay first shows, or right after the prefix key (most overlays are a prefix
 * command away), never on the way to a first frame. The Renderer is the only writer to the terminals.
 *
 * Invariants:
 * - the layout follows the size of the terminal that was active last (its input or its resize);
 *   the others see it clipped or padded (renderer.ts);
 * - each terminal has its own key decoder, so a sequence split across reads of one terminal is
 *   never glued to another terminal's keys;
 * - with no terminal attached nothing is composed or written.
 */
import { Writable } from 'node:stream';
import type { Instance } from 'ink';
import type { Keymap } from '../config/keymap.js';
import type { Theme } from '../config/theme.js';
import { cellStyle } from '../render/cell-style.js';
import { borderLabel } from '../render/labels.js';
import { Renderer, type Output, type Scene } from '../render/renderer.js';
import { Surface } from './surface.js';
import { Chrome, overlayRects } from './chrome.js';
import { InputTokenizer } from '../terminal/input.js';
import { noteInput } from '../terminal/reclaim.js';
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
  private readonly chrome: Chrome;
  /**
   * Ink, drawing the overlays: started when one first shows, or after the frame that answers the
   * prefix key, so that the help or a dialog a person then asks for does not wait for its load and
   * first render (~50 ms, cold). Not on a timer: loaded in a workspace nobody looks at, its garbage
   * kept a detached server's collector busy for seconds (~2% of a core over 10 s, bench row 13).
   */
  private ink: Instance | undefined;
  private inkStarting = false;
  private inkWarm: NodeJS.Timeout | undefined;
  private readonly uiEnv: UiEnv;
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
  /** The scroll position's look: the theme's muted text. */
  private readonly positionStyle: { fg: number; bg: number; attrs: number };

  constructor(private o: FrontendOptions) {
    const ws = o.workspace;
    ({ cols: this.cols, rows: this.rows } = ws.getView());
    this.positionStyle = cellStyle(o.theme.tokens['text.muted']);
    this.renderer = new Renderer(undefined, () => this.scene(), this.cols, this.rows);
    const prefix = o.keymap.bindingsOf('prefix.send')[0] ?? 'ctrl+a';
    const look = { theme: o.theme, prefix: prefix === 'prefix' ? 'the prefix' : prefix, key: (command: string) => o.keymap.bindingsOf(command as never)[0] ?? '?' };
    this.chrome = new Chrome(this.cols, this.rows, look, () => {
      // A chrome that changed right after a key is most likely that key's answer: it does not wait
      // for the frame clock (up to 33 ms), as a pane's echo does not.
      this.renderer.setChrome(this.chrome.grid, performance.now() - this.lastInputAt < ECHO_WINDOW_MS);
    });
    ws.on('dirty', this.onDirty);
    ws.on('change', this.onChange);
    ws.on('typed', this.onTyped);
    ws.on('attention', this.onAttention);
    ws.on('alert', this.onAttention);
    ws.on('detach', this.onDetach);

    // Ink's stdout: a sink that hands each whole frame to the chrome.
    const chrome = this.chrome;
    this.virtual = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          chrome.setInkFrame(String(chunk));
          done();
        },
      }),
      { columns: this.cols, rows: this.rows, isTTY: false },
    );
    this.uiEnv = {
      store: {
        subscribe: (cb) => {
          this.uiListeners.add(cb);
          return () => this.uiListeners.delete(cb);
        },
        getView: ws.getView,
      },
      theme: o.theme,
      help: helpSections(o.keymap),
      prefix: look.prefix,
      key: look.key,
    };
  }

  /**
   * Loads Ink and starts it on the overlays. The loads are lazy requires in the bundle, run in this
   * turn's microtasks, and Ink's legacy root renders within them too: an overlay that needed Ink
   * is drawn in the same frame as the change that showed it.
   */
  private startInk(): void {
    if (this.inkStarting || this.stopped) return;
    this.inkStarting = true;
    clearTimeout(this.inkWarm);
    void import('../ui/mount.js').then(({ mountUi }) => {
      if (!this.stopped) this.ink = mountUi(this.uiEnv, this.virtual);
    });
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
    const view = this.o.workspace.getView();
    if (view.cols !== this.cols || view.rows !== this.rows) {
      this.cols = view.cols;
      this.rows = view.rows;
      this.virtual.columns = view.cols;
      this.virtual.rows = view.rows;
      // The renderer first: the chrome then hands it a grid of the new size.
      this.renderer.resize(view.cols, view.rows);
    }
    this.chrome.setView(view);
    if (!this.ink && overlayRects(view).length > 0) this.startInk();
    // A timer, not at once: the prefix's own answer (the mode in the status bar) is drawn first.
    else if (!this.ink && view.mode === 'prefix') this.inkWarm ??= setTimeout(() => this.startInk(), 0);
    for (const l of [...this.uiListeners]) l();
    this.renderer.request();
  };

  get attached(): number {
    return this.links.size;
  }

  /** Starts drawing to `t` and taking its keys; the layout takes its size. */
  attach(t: TerminalLink): Attachment {
    this.links.add(t);
    const ws = this.o.workspace;
    // Also catches the chrome up (nothing was drawn while nobody looked): the publish paints it, and
    // Ink's overlays, if any show, within this turn's microtasks. The terminal's first frame comes
    // on the next turn (Renderer.attach).
    ws.dispatch({ t: 'clients', count: this.links.size });
    if (this.chrome.shows !== ws.getView()) this.onChange();
    this.renderer.attach(t);
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
        if (!this.links.delete(t)) return;
        this.renderer.detach(t);
        if (!this.stopped) ws.dispatch({ t: 'clients', count: this.links.size });
      },
    };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.inkWarm);
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
