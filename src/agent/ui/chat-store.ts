/**
 * What the agent pane shows, as data. Finished lines are append-only (Ink prints them once, into
 * the pane's scrollback); only the live tail (the line being streamed, a running tool, an approval
 * question, the status line and the prompt) is redrawn.
 *
 * Invariants:
 * - `entries` only grows, and an entry never changes after it was added;
 * - every entry comes from a ChatEvent through `apply`, live or replayed from a stored history
 *   (replay.ts), so a resumed conversation looks exactly as it looked live;
 * - the person's words sent while a turn runs are shown once that turn has ended (after its
 *   "interrupted" line), in the order the conversation has them;
 * - `shown` remembers the line drawn for each tool result, so the stored history can carry it.
 */
import type { AgentStatus, Totals } from '../agent.js';
import type { Msg } from '../conversation.js';
import { renderLine, type Line, type MdState } from './markdown.js';
import { historyEvents, parseStored, withSummaries, type ChatEvent, type StoredMessage } from './replay.js';
import { Editor } from '../../terminal/line-editor.js';
import { plural } from '../../util/text.js';

export interface Entry {
  id: number;
  kind: 'user' | 'text' | 'tool' | 'notice' | 'error' | 'gap';
  line: Line;
}

export interface ChatView {
  entries: Entry[];
  partial: Line | undefined;
  tool: string | undefined;
  approval: string | undefined;
  status: AgentStatus;
  statusDetail: string | undefined;
  totals: Totals | undefined;
  context: number;
  input: { text: string; cursor: number };
  busy: boolean;
}

export class ChatStore {
  readonly editor = new Editor();
  private entries: Entry[] = [];
  /** The latest tool results in full, newest last, for Ctrl+O (expand). */
  private results: Array<{ call: string; content: string }> = [];
  /** tool_use id -> the line shown for its result. */
  private shown = new Map<string, string>();
  /** The person's words sent during a running turn, shown when it ends. */
  private waiting: Array<Extract<ChatEvent, { type: 'user' }>> = [];
  private nextId = 1;
  private buffer = '';
  private md: MdState = {};
  private view: ChatView;
  private listeners = new Set<() => void>();
  private state = {
    tool: undefined as string | undefined,
    approval: undefined as string | undefined,
    status: 'idle' as AgentStatus,
    statusDetail: undefined as string | undefined,
    totals: undefined as Totals | undefined,
    context: 0,
    busy: false,
  };

  constructor() {
    this.view = this.build();
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getView = (): ChatView => this.view;

  private build(): ChatView {
    return {
      // Ink's <Static> memoises on the array's identity, so it needs a new array when lines were added
      // (it then prints only the items past its last index).
      entries: this.view?.entries.length === this.entries.length ? this.view.entries : this.entries.slice(),
      partial: this.buffer ? renderLine(this.buffer, { ...this.md }) : undefined,
      ...this.state,
      input: { text: this.editor.text, cursor: this.editor.cursor },
    };
  }

  publish(): void {
    this.view = this.build();
    for (const l of this.listeners) l();
  }

  add(kind: Entry['kind'], line: Line): void {
    this.entries.push({ id: this.nextId++, kind, line });
  }

  say(kind: 'notice' | 'error', text: string): void {
    const token = kind === 'error' ? 'text.error' : 'text.muted';
    text.split('\n').forEach((t) => this.add(kind, [{ text: t, token }]));
    this.publish();
  }

  private userLines(text: string, redirect?: boolean): void {
    text.split('\n').forEach((t, i) => this.add('user', [{ text: i > 0 ? `  ${t}` : redirect ? `↪ ${t}` : `› ${t}`, token: 'chat.user' }]));
  }

  /** The person's words, typed here or sent by the workspace (a redirect). */
  user(text: string, redirect?: boolean): void {
    this.onEvent({ type: 'user', text, redirect });
  }

  /** An earlier conversation (a resumed session), drawn as it was drawn live, before the new one continues. */
  replay(records: readonly unknown[]): void {
    const messages = parseStored(records);
    for (const e of historyEvents(messages)) this.apply(e);
    this.add('notice', [{ text: `── resumed: the conversation above continues (${plural(messages.length, 'message')}) ──`, token: 'text.muted' }]);
    this.publish();
  }

  /** The history as session memory keeps it: tool results with the line this pane showed for them. */
  forMemory(messages: Msg[]): StoredMessage[] {
    return withSummaries(messages, this.shown);
  }

  /** Prints the latest tool result in full (and the one before it on the next press). */
  expandLast(): void {
    const r = this.results.pop();
    if (!r) {
      this.say('notice', 'no tool result to expand');
      return;
    }
    const lines = r.content.split('\n');
    const shown = lines.slice(0, 200);
    this.add('tool', [{ text: `▼ ${r.call}`, token: 'chat.tool' }]);
    for (const l of shown) this.add('tool', [{ text: `  ${l}`, token: 'text.muted' }]);
    if (lines.length > shown.length) this.add('tool', [{ text: `  … ${plural(lines.length - shown.length, 'more line')}`, token: 'text.muted' }]);
    this.publish();
  }

  setApproval(call: string | undefined): void {
    this.state.approval = call;
    this.publish();
  }

  private flushLines(all: boolean): void {
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      this.add('text', renderLine(this.buffer.slice(0, nl), this.md));
      this.buffer = this.buffer.slice(nl + 1);
    }
    if (all && this.buffer) {
      this.add('text', renderLine(this.buffer, this.md));
      this.buffer = '';
    }
  }

  onEvent = (e: ChatEvent): void => {
    if (this.apply(e)) this.publish();
  };

  private showWaiting(): void {
    for (const u of this.waiting.splice(0)) this.userLines(u.text, u.redirect);
  }

  /** Draws one event; false when it changes nothing the pane shows. */
  private apply(e: ChatEvent): boolean {
    switch (e.type) {
      case 'user':
        if (this.state.busy) this.waiting.push(e);
        else this.userLines(e.text, e.redirect);
        break;
      case 'summarised':
        this.add('notice', [{ text: '── earlier turns were summarised to save context ──', token: 'text.muted' }]);
        break;
      case 'text':
        this.buffer += e.delta;
        this.flushLines(false);
        break;
      case 'text_end':
        this.flushLines(true);
        this.md = {};
        this.add('gap', []);
        break;
      case 'status':
        this.state.status = e.status;
        this.state.statusDetail = e.detail;
        this.state.busy = e.status !== 'idle' && e.status !== 'error';
        if (e.status !== 'approval') this.state.approval = undefined;
        // A new turn has started: words sent during the last one belong before it.
        if (this.state.busy) this.showWaiting();
        break;
      case 'tool_start':
        this.state.tool = e.call;
        break;
      case 'tool_end':
        this.state.tool = undefined;
        this.shown.set(e.id, e.result.summary);
        this.results.push({ call: e.result.summary, content: e.result.content });
        if (this.results.length > 20) this.results.shift();
        this.add('tool', [{ text: e.result.isError ? '✗ ' : '✓ ', token: e.result.isError ? 'text.error' : 'status.running' }, { text: e.result.summary, token: 'chat.tool' }]);
        break;
      case 'approval':
        this.state.approval = e.call;
        break;
      case 'usage':
        this.state.totals = e.totals;
        this.state.context = e.context;
        break;
      case 'notice':
        this.add('notice', [{ text: e.text, token: 'text.warning' }]);
        break;
      case 'error':
        this.flushLines(true);
        this.add('error', [{ text: `✗ ${e.text}`, token: 'text.error' }]);
        break;
      case 'compacted':
        this.add('notice', [
          {
            text: `compacted ${e.result.reason ?? ''}: ~${e.result.before} → ~${e.result.after} tokens (${e.result.clearedResults} old tool results cleared${e.result.summarised ? ', older turns summarised' : ''})`,
            token: 'text.muted',
          },
        ]);
        break;
      case 'turn_end':
        this.flushLines(true);
        this.state.tool = undefined;
        this.state.busy = false;
        if (e.reason === 'interrupted') this.add('notice', [{ text: '⏹ interrupted — what should it do instead?', token: 'text.warning' }]);
        this.showWaiting();
        break;
      default:
        return false;
    }
    return true;
  }
}
