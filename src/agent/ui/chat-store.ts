/**
 * What the agent pane shows, as data. Finished lines are append-only (Ink prints them once, into
 * the pane's scrollback); only the live tail (the line being streamed, a running tool, an approval
 * question, the status line and the prompt) is redrawn.
 *
 * Invariant: `entries` only grows, and an entry never changes after it was added.
 */
import type { AgentEvent, AgentStatus, Totals } from '../agent.js';
import { renderLine, type Line, type MdState } from './markdown.js';
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

  say(kind: 'notice' | 'error' | 'user', text: string): void {
    const token = kind === 'error' ? 'text.error' : kind === 'user' ? 'chat.user' : 'text.muted';
    text.split('\n').forEach((t, i) => this.add(kind, [{ text: i === 0 && kind === 'user' ? `› ${t}` : kind === 'user' ? `  ${t}` : t, token }]));
    this.publish();
  }

  /** An earlier conversation (a resumed session), shown compactly before the new one continues. */
  replay(messages: Array<{ role: string; content: unknown }>): void {
    for (const m of messages) {
      const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content as Array<Record<string, unknown>>);
      for (const b of blocks) {
        if (b.type === 'text' && m.role === 'user') this.say('user', String(b.text));
        else if (b.type === 'text') {
          const md = {};
          for (const line of String(b.text).split('\n')) this.add('text', renderLine(line, md));
          this.add('gap', []);
        } else if (b.type === 'tool_use') this.add('tool', [{ text: '· ', token: 'chat.tool' }, { text: `${String(b.name)} ${JSON.stringify(b.input).slice(0, 80)}`, token: 'chat.tool' }]);
      }
    }
    this.add('notice', [{ text: `── resumed: the conversation above continues (${plural(messages.length, 'message')}) ──`, token: 'text.muted' }]);
    this.publish();
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

  setBusy(busy: boolean): void {
    this.state.busy = busy;
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

  onEvent = (e: AgentEvent): void => {
    switch (e.type) {
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
        if (e.status !== 'approval') this.state.approval = undefined;
        break;
      case 'tool_start':
        this.state.tool = e.call;
        break;
      case 'tool_end':
        this.state.tool = undefined;
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
        break;
      default:
        return;
    }
    this.publish();
  };
}
