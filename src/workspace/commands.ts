/**
 * The one dispatcher from named commands (the keymap's vocabulary) to workspace actions. The
 * keymap, dialogs and any later remote control all go through here.
 */
import type { CommandName } from '../config/keymap.js';
import type { Workspace } from './workspace.js';

const SCROLL_PAGE = 0.8;
/** Feed entries per press of the context panel's scroll keys. */
const CONTEXT_PAGE = 5;

export function runCommand(ws: Workspace, name: CommandName, reserved?: string): void {
  if (reserved) return ws.say(`${name}: ${reserved}`);
  const m = /^pane\.focus(\d)$/.exec(name);
  if (m) return ws.focusIndex(Number(m[1]) - 1);
  const page = () => Math.max(1, Math.floor((ws.focused ? ws.visible().find((v) => v.pane === ws.focused)?.inner.height ?? 10 : 10) * SCROLL_PAGE));
  switch (name) {
    case 'pane.focusLeft':
      return ws.focusDirection('left');
    case 'pane.focusRight':
      return ws.focusDirection('right');
    case 'pane.focusUp':
      return ws.focusDirection('up');
    case 'pane.focusDown':
      return ws.focusDirection('down');
    case 'pane.focusNext':
      return ws.focusNext();
    case 'agent.interrupt':
      return void ws.interrupt(false);
    case 'agent.interruptAll':
      return void ws.interrupt(true);
    case 'agent.nextWaiting':
      return ws.nextWaiting();
    case 'agent.redirect':
      return ws.openPrompt('focused');
    case 'agent.broadcast':
      return ws.openPrompt('all');
    case 'context.toggle':
      return ws.toggleContext();
    case 'context.scrollUp':
      return ws.scrollContext(-CONTEXT_PAGE);
    case 'context.scrollDown':
      return ws.scrollContext(CONTEXT_PAGE);
    case 'context.note':
      return ws.openPrompt('note');
    case 'pane.new':
      return ws.openPicker();
    case 'pane.close':
      return ws.requestClose();
    case 'pane.restart':
      return void ws.restartFocused();
    case 'pane.zoom':
      return ws.toggleZoom();
    case 'pane.scroll':
      return ws.enterScroll();
    case 'app.help':
      return ws.openDialog({ kind: 'help' });
    case 'app.quit':
      return ws.requestQuit();
    case 'scroll.up':
      return ws.scroll(1);
    case 'scroll.down':
      return ws.scroll(-1);
    case 'scroll.pageUp':
      return ws.scroll(page());
    case 'scroll.pageDown':
      return ws.scroll(-page());
    case 'scroll.top':
      return ws.scroll('top');
    case 'scroll.bottom':
      return ws.scroll('bottom');
    case 'scroll.exit':
      ws.leaveScroll();
      return ws.publish();
    default:
      return ws.say(`${name} is not available yet`);
  }
}
