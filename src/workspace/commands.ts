/**
 * What each named command does: one handler per command, in a table the compiler checks against
 * the keymap's command list (a command without a handler does not build). The keymap, the dialogs
 * and any remote control all come here through the Workspace's dispatch.
 */
import type { CommandId, Keymap } from '../config/keymap.js';
import type { Core } from './core.js';
import type { Command } from './events.js';

const SCROLL_PAGE = 0.8;
/** Feed entries per press of the context panel's scroll keys. */
const CONTEXT_PAGE = 5;

/** The Workspace's actions that take more than a change of state (processes, services, I/O). */
export interface CommandHost {
  readonly core: Core;
  readonly keymap: Keymap;
  interrupt(all: boolean): void;
  restartFocused(): void;
  requestClose(): void;
  requestQuit(): void;
  openPicker(): void;
  nextWaiting(): void;
  toggleContext(): void;
  /** Entries in the context panel's feed. */
  contextTotal(): number;
  /** The prefix key itself, to the focused pane. */
  sendPrefix(): void;
  /** The terminal the keys came from asks to leave (the agents go on). */
  detach(): void;
}

type Handler = (h: CommandHost, arg: number | undefined) => void;

/** Lines per page in scroll mode: most of the focused pane's height. */
function page(core: Core): number {
  const inner = core.visible().find((v) => v.pane === core.focused)?.inner.height ?? 10;
  return Math.max(1, Math.floor(inner * SCROLL_PAGE));
}

export const COMMAND_HANDLERS: Record<CommandId, Handler> = {
  'pane.focus': ({ core }, n) => core.focusIndex(n ?? 0),
  'pane.focusLeft': ({ core }) => core.focusDirection('left'),
  'pane.focusRight': ({ core }) => core.focusDirection('right'),
  'pane.focusUp': ({ core }) => core.focusDirection('up'),
  'pane.focusDown': ({ core }) => core.focusDirection('down'),
  'pane.focusNext': ({ core }) => core.focusNext(),
  'pane.new': (h) => h.openPicker(),
  'pane.close': (h) => h.requestClose(),
  'pane.restart': (h) => h.restartFocused(),
  'pane.zoom': ({ core }) => core.toggleZoom(),
  'pane.scroll': ({ core }) => core.enterScroll(),
  'agent.interrupt': (h) => h.interrupt(false),
  'agent.interruptAll': (h) => h.interrupt(true),
  'agent.nextWaiting': (h) => h.nextWaiting(),
  'agent.redirect': ({ core }) => core.openPrompt('focused'),
  'agent.broadcast': ({ core }) => core.openPrompt('all'),
  'context.toggle': (h) => h.toggleContext(),
  'context.note': ({ core }) => core.openPrompt('note'),
  'context.scrollUp': (h) => h.core.scrollContext(-CONTEXT_PAGE, h.contextTotal()),
  'context.scrollDown': (h) => h.core.scrollContext(CONTEXT_PAGE, h.contextTotal()),
  'scroll.up': ({ core }) => core.scroll(1),
  'scroll.down': ({ core }) => core.scroll(-1),
  'scroll.pageUp': ({ core }) => core.scroll(page(core)),
  'scroll.pageDown': ({ core }) => core.scroll(-page(core)),
  'scroll.top': ({ core }) => core.scroll('top'),
  'scroll.bottom': ({ core }) => core.scroll('bottom'),
  'scroll.exit': ({ core }) => core.leaveScroll(),
  'app.help': ({ core }) => core.openDialog({ kind: 'help', scroll: 0 }),
  'app.quit': (h) => h.requestQuit(),
  'app.detach': (h) => h.detach(),
  'prefix.send': (h) => h.sendPrefix(),
};

export function runCommand(h: CommandHost, c: Command): void {
  COMMAND_HANDLERS[c.id](h, c.arg);
}
