/**
 * Agents in worktrees of their own, on the workspace's side: a pane with `"isolation": "worktree"`
 * waits for its worktree before its program starts; prefix+v reviews its change, prefix+m merges it;
 * closing the pane removes the worktree only when that loses nothing. The git work is the port's
 * (src/worktree/session.ts); its outcomes come back through the Workspace's dispatch.
 *
 * Invariants:
 * - a worktree pane's program starts only in its worktree, once the worktree exists: while it is
 *   being made the pane says so; when it cannot be made the pane shows why (the port's words), its
 *   status is `failed` and restarting the pane (prefix+R) tries again. Nothing half-made is left:
 *   the port's create undoes itself.
 * - a pane's worktree state is written only while the Workspace handles a dispatched input;
 * - nothing here deletes work: the port's `remove` refuses a worktree that is dirty or not merged
 *   (and the person is told where it stays), a quit removes nothing, and a merge the port refuses
 *   changed nothing (its refusal and files are shown).
 */
import { join } from 'node:path';
import type { MergeMode, MergeResult } from '../worktree/merge.js';
import type { WorktreeDiff } from '../worktree/diff.js';
import { WorktreeError } from '../worktree/errors.js';
import type { Worktree } from '../worktree/types.js';
import { printable } from '../util/safe-text.js';
import { plural } from '../util/text.js';
import { homePath } from '../util/format.js';
import type { Core } from './core.js';
import type { AgentEvent, WorkspaceInput } from './events.js';
import type { Pane } from './pane.js';
import type { PaneSpec } from './presets.js';
import { refusalLines, reviewLines, type ReviewLine } from './review.js';
import type { TaskDesk } from './tasks.js';
import type { ContextPort } from './types.js';

export interface OpenedWorktree {
  worktree: Worktree;
  /** Made now; false: it was there already (an earlier session's, with its work). */
  made: boolean;
  /** Made on the branch agents/NAME that existed already: its commits are kept. */
  reused: boolean;
  /** Ignored files copied in (worktree.copy), relative to the project. */
  copied: string[];
}

/** The git work behind worktree panes (src/worktree/session.ts; a fake in tests). */
export interface WorktreePort {
  /** The agent's worktree: the one there, or a new one (the branch reused if it exists). Throws the refusal. */
  open(name: string, agent: string): Promise<OpenedWorktree>;
  diff(wt: Worktree): Promise<WorktreeDiff>;
  /** Commits uncommitted work with `message`, then merges per `mode`; throws the refusal, having changed nothing. */
  merge(wt: Worktree, message: string): Promise<MergeResult>;
  /** Removes it when clean and merged; otherwise throws saying where it stays and why. */
  remove(wt: Worktree): Promise<void>;
  readonly mode: MergeMode;
  /** worktree.setup: run in the pane before the agent starts. */
  readonly setup: readonly string[];
  /** How the person restarts a pane, e.g. "ctrl+a R". */
  readonly retryKey: string;
}

export type WorktreeOutcome =
  | { kind: 'ready'; pane: number; opened: OpenedWorktree }
  | { kind: 'failed'; pane: number; message: string }
  /** A full-area dialog of lines: a review, or a refused merge. */
  | { kind: 'show'; title: string; lines: ReviewLine[] };

export interface WorktreesHost {
  readonly core: Core;
  readonly desk: TaskDesk;
  readonly port?: WorktreePort;
  readonly context?: ContextPort;
  dispatch(input: WorkspaceInput): void;
}

type Entry = { state: 'preparing' } | { state: 'ready'; worktree: Worktree } | { state: 'failed'; message: string };

const MODE_WORDS: Record<MergeMode, string> = { merge: 'a merge commit', ff: 'fast-forward only', squash: 'one squashed commit' };
/** A prefilled commit message is the start of the agent's summary: enough to edit, not a wall. */
const SUMMARY_LINES = 8;
const SUMMARY_CHARS = 600;

/** The last text an assistant message of a built-in agent's conversation holds, if any. */
function lastAssistantText(messages: ReadonlyArray<{ role: string; content: unknown }>): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'assistant') continue;
    const text = typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? m.content.flatMap((b: { type?: string; text?: unknown }) => (b?.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n') : '';
    if (text.trim()) return text.trim();
  }
  return undefined;
}

function shortened(text: string): string {
  const lines = text.split('\n').slice(0, SUMMARY_LINES).join('\n');
  return lines.length > SUMMARY_CHARS ? `${lines.slice(0, SUMMARY_CHARS - 1).trimEnd()}…` : lines;
}

export class PaneWorktrees {
  private entries = new Map<number, Entry>();
  /** Each built-in agent's last words (its last assistant text), by pane name. */
  private summaries = new Map<string, string>();

  constructor(private h: WorktreesHost) {}

  /** The spec a pane is made from: a worktree named as the pane, with the setup to run first. */
  specFor(spec: PaneSpec): PaneSpec {
    if (!spec.worktree || spec.kind === 'missing') return spec;
    const port = this.h.port;
    const setup = port && port.setup.length > 0 ? { commands: [...port.setup], retryKey: port.retryKey } : undefined;
    return { ...spec, worktree: { ...spec.worktree, name: spec.name }, setup };
  }

  /** Whether the pane waits for its worktree (then it is being made, and the pane starts when it is there). */
  hold(p: Pane): boolean {
    if (!p.spec.worktree || p.spec.kind === 'missing') return false;
    this.prepare(p);
    return true;
  }

  /** The worktree a pane works in, once it is there. */
  worktreeOf(p: Pane): Worktree | undefined {
    const e = this.entries.get(p.id);
    return e?.state === 'ready' ? e.worktree : undefined;
  }

  private prepare(p: Pane): void {
    const name = p.spec.worktree!.name;
    this.entries.set(p.id, { state: 'preparing' });
    p.terminal.print(`Opening the worktree for ${name} (branch agents/${name})…\n`);
    const port = this.h.port;
    const outcome = (o: WorktreeOutcome) => this.h.dispatch({ t: 'worktree', outcome: o });
    if (!port) return outcome({ kind: 'failed', pane: p.id, message: 'worktrees cannot be made in this workspace' });
    port.open(name, p.name).then(
      (opened) => outcome({ kind: 'ready', pane: p.id, opened }),
      (err: Error) => outcome({ kind: 'failed', pane: p.id, message: err.message }),
    );
  }

  handle(o: WorktreeOutcome): void {
    const { core } = this.h;
    if (o.kind === 'show') return core.openDialog({ kind: 'review', title: o.title, lines: o.lines, scroll: 0 });
    const p = core.pane(o.pane);
    if (o.kind === 'failed') {
      if (!p) return;
      this.entries.set(p.id, { state: 'failed', message: o.message });
      p.terminal.print(`\x1b[31m${printable(o.message, { newlines: true })}\x1b[0m\nThe agent was not started. Fix that, then press ${printable(this.h.port?.retryKey ?? 'the restart key')} to try again.\n`);
      p.status = { kind: 'failed', error: o.message };
      return core.touch();
    }
    const wt = o.opened.worktree;
    // Closed while its worktree was being made: a fresh one holds nothing, and goes again.
    if (!p) return void this.h.port?.remove(wt).catch(() => undefined);
    this.entries.set(p.id, { state: 'ready', worktree: wt });
    const sub = p.spec.worktree?.sub;
    const cwd = sub ? join(wt.cwd, sub) : wt.cwd;
    p.spec.cwd = cwd;
    p.terminal.setCwd(cwd);
    p.terminal.print(openedText(o.opened));
    p.start();
    this.h.context?.addTree?.({ agent: p.name, branch: wt.branch, root: wt.cwd, worktree: wt, guess: !p.isAgent });
    core.touch();
  }

  /** prefix+R on a pane whose worktree could not be made: try again. False: an ordinary restart. */
  retry(p: Pane): boolean {
    const e = this.entries.get(p.id);
    if (!e || e.state === 'ready') return false;
    if (e.state === 'preparing') this.h.core.say(`the worktree of ${p.name} is still being made`);
    else {
      p.status = { kind: 'starting' };
      this.prepare(p);
      this.h.core.touch();
    }
    return true;
  }

  /** The focused pane's worktree, or undefined with the reason said. */
  private readyFor(p: Pane | undefined, what: string): Worktree | undefined {
    const { core } = this.h;
    if (!p) return void core.say('no pane');
    const e = this.entries.get(p.id);
    if (!e) return void core.say(`${p.name} works in the project's own tree: it has no branch to ${what} (agents with "isolation": "worktree" have one)`);
    if (e.state === 'preparing') return void core.say(`the worktree of ${p.name} is still being made`);
    if (e.state === 'failed') return void core.say(`${p.name} has no worktree: ${e.message}`);
    return e.worktree;
  }

  /** prefix+v: the focused agent's change against its base, in a dialog. */
  review(): void {
    const { core, port } = this.h;
    const wt = this.readyFor(core.focused, 'review');
    if (!wt || !port) return;
    core.say(`reading the change on ${wt.branch}…`);
    port.diff(wt).then(
      (d) => {
        this.h.dispatch({ t: 'say', text: undefined });
        this.h.dispatch({ t: 'worktree', outcome: { kind: 'show', title: `Review ${wt.branch} → ${wt.base}`, lines: reviewLines(d, wt) } });
      },
      (err: Error) => this.h.dispatch({ t: 'say', text: `cannot review ${wt.branch}: ${err.message}` }),
    );
  }

  /** prefix+m: the commit message, prefilled from the agent's last summary, in the prompt bar. */
  mergePrompt(): void {
    const { core, port } = this.h;
    const p = core.focused;
    const wt = this.readyFor(p, 'merge');
    if (!wt || !p || !port) return;
    if (p.takesInstructions && p.activity?.state === 'busy') return core.say(`${p.name} is at work: let it finish (or interrupt it) before merging ${wt.branch}`);
    core.openPrompt('merge', {
      text: this.summaryFor(p, wt),
      pane: p.id,
      hint: `enter commits with this message and merges ${wt.branch} into ${wt.base} (${MODE_WORDS[port.mode]})`,
    });
  }

  /** The merge itself, with the message the person confirmed. */
  merge(paneId: number | undefined, message: string): void {
    const { core, port } = this.h;
    const p = paneId === undefined ? core.focused : core.pane(paneId);
    const wt = this.readyFor(p, 'merge');
    if (!wt || !port) return;
    core.say(`merging ${wt.branch} into ${wt.base}…`);
    port.merge(wt, message).then(
      (r) => {
        // The base moved: what other branches share with this one is worth checking again.
        this.h.context?.recheckTrees?.();
        this.h.dispatch({ t: 'say', text: mergedText(r, wt) });
      },
      (err: Error) => {
        const files = err instanceof WorktreeError ? err.files : [];
        const kind = err instanceof WorktreeError ? err.kind : 'failed';
        this.h.dispatch({ t: 'say', text: `merge of ${wt.branch} refused (${kind}): nothing was changed` });
        this.h.dispatch({ t: 'worktree', outcome: { kind: 'show', title: `Merge of ${wt.branch} refused`, lines: refusalLines(err.message, files, Math.max(20, core.cols - 6)) } });
      },
    );
  }

  /** A closed pane's worktree goes only when that loses nothing; otherwise the person learns where it stays. */
  closed(p: Pane, stopped: Promise<void>): void {
    const e = this.entries.get(p.id);
    this.entries.delete(p.id);
    const port = this.h.port;
    if (!e || e.state !== 'ready' || !port) return;
    this.h.context?.removeTree?.(p.name);
    const wt = e.worktree;
    stopped.then(() => port.remove(wt)).then(
      () => this.h.dispatch({ t: 'say', text: `removed the worktree of ${p.name}: ${wt.branch} was merged into ${wt.base} and clean` }),
      // The manager's words say where it stays and why; the home folder shortened, so the path fits.
      (err: Error) => this.h.dispatch({ t: 'say', text: err.message.replace(wt.path, homePath(wt.path)) }),
    );
  }

  /** Follows the built-in agents' conversations for their last words (the merge message). */
  agentEvent(e: AgentEvent): void {
    if (e.message.t !== 'history') return;
    const text = lastAssistantText(e.message.messages);
    if (text) this.summaries.set(e.name, text);
  }

  /** The agent's last summary: a built-in agent's last text, else its last finished task's result. */
  private summaryFor(p: Pane, wt: Worktree): string {
    const said = p.isAgent ? this.summaries.get(p.name) : undefined;
    const task = this.h.desk.board
      .list()
      .filter((t) => t.owner === p.name && t.result)
      .sort((a, b) => b.updatedAt - a.updatedAt)[0];
    return shortened(said ?? task?.result ?? `Work of ${p.name} on ${wt.branch}`);
  }
}

function openedText(o: OpenedWorktree): string {
  const { worktree: wt } = o;
  const how = !o.made ? `${wt.branch}, as it was left (its work is there)` : o.reused ? `${wt.branch}, which existed: its commits are kept` : `a new branch ${wt.branch} from ${wt.base}`;
  const copied = o.copied.length > 0 ? `\ncopied in: ${plural(o.copied.length, 'file')} (${o.copied.slice(0, 5).join(', ')}${o.copied.length > 5 ? ', …' : ''})` : '';
  return printable(`Worktree ${wt.path}\non ${how}${copied}\n`, { newlines: true });
}

function mergedText(r: MergeResult, wt: Worktree): string {
  const committed = r.committed?.committed ? `; its uncommitted work was committed first (${plural(r.committed.files.length, 'file')})` : '';
  if (r.status === 'up-to-date') return `${wt.branch} holds nothing ${wt.base} lacks: nothing to merge${committed}`;
  return `merged ${wt.branch} into ${wt.base}: ${plural(r.files.length, 'file')} (${MODE_WORDS[r.mode]} ${r.commit.slice(0, 7)})${committed}`;
}
