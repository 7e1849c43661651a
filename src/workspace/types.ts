/**
 * The workspace's data shapes: what goes in (options, the context port) and what comes out to the
 * UI (views). Plain data only; the live objects are in workspace.ts and pane.ts.
 */
import type { Rect } from '../render/grid.js';
import type { SpawnPty } from '../terminal/pty.js';
import type { WorkspaceMessage } from '../ipc/protocol.js';
import type { LayoutMode } from './layout.js';
import type { Keymap } from '../config/keymap.js';
import type { Task } from '../tasks/task.js';
import type { TaskSettings } from './tasks.js';
import type { PaneStatus } from './pane.js';
import type { PaneSpec } from './presets.js';
import type { Activity } from './activity.js';
import type { ReviewLine } from './review.js';
import type { WorktreePort } from './worktrees.js';
import type { Worktree } from '../worktree/types.js';

export type Mode = 'normal' | 'prefix' | 'scroll' | 'dialog' | 'board';

export interface PickerOption {
  preset: string;
  label: string;
  note: string;
}

/** What a prompt is for: a redirect, a broadcast, a note; a task to add or edit; an answer to a question; a merge's commit message. */
export type PromptTarget = 'focused' | 'all' | 'note' | 'task-add' | 'task-edit' | 'answer' | 'merge';

/** An open dialog as the workspace keeps it. The prompt's text lives in the workspace's line editor. */
export type Dialog =
  | { kind: 'help'; scroll: number }
  | { kind: 'confirm'; action: 'quit' | 'close' | 'cancel-task'; paneId?: number; task?: string; text: string }
  /** `worktree`: the new agent gets a git worktree of its own (toggled in the picker). */
  | { kind: 'picker'; options: PickerOption[]; selected: number; worktree?: boolean }
  /** `pane`: the pane a merge's commit message is for. */
  | { kind: 'prompt'; target: PromptTarget; task?: string; question?: number; hint?: string; pane?: number }
  /** Lines to read, scrollable: a worktree's change (prefix+v), or a refused merge. */
  | { kind: 'review'; title: string; lines: ReviewLine[]; scroll: number }
  /** One task in full: details, claims, check and its last output; scrollable. */
  | { kind: 'task'; id: string; scroll: number };

/** An open dialog as the chrome draws it: the prompt with its text and cursor. */
export type DialogView =
  | Exclude<Dialog, { kind: 'prompt' } | { kind: 'task' }>
  | { kind: 'prompt'; target: PromptTarget; text: string; cursor: number; hint?: string }
  | { kind: 'task'; id: string; scroll: number; lines: string[] };

/** The shared context as the chrome shows it: plain, preformatted data. */
export interface ContextView {
  /** `branch`: the agent worktree's branch it happened on (absent: the project's own tree). */
  lines: Array<{ id: number; time: string; who: string; kind: string; path: string; size: string; claim: string; branch?: string }>;
  notes: Array<{ id: number; time: string; author: string; text: string }>;
  /** Entries each built-in agent has not been given yet. */
  pending: Record<string, number>;
  /** Files two parties changed close together, by pane name. */
  conflicts: Record<string, string>;
  /** Files changed on this agent's branch and on another's too (a merge conflict ahead), by pane name. */
  branches?: Record<string, string>;
}

/** An agent working in a worktree of its own, as the shared context follows it. */
export interface TreeSpec {
  agent: string;
  branch: string;
  /** The worktree's copy of the project folder: watched like the project. */
  root: string;
  worktree: Worktree;
  /** Changes nobody announced there are probably this agent's (an agent CLI or a command), not outside. */
  guess: boolean;
}

/** What the workspace needs from the shared-context service (src/context). */
export interface ContextPort {
  view(): ContextView;
  postNote(author: string, text: string): void;
  subscribe(onChange: () => void): () => void;
  /** A note for one agent only (the task board telling a task's creator how it went). */
  tell?(to: string, author: string, text: string): void;
  /** Follow an agent's worktree too: its changes in the feed, its files against the other branches'. */
  addTree?(tree: TreeSpec): void;
  removeTree?(agent: string): void;
  /** A branch was merged: look again at which files the branches share. */
  recheckTrees?(): void;
}

/** The built-in agents' channel, as the workspace uses it. */
export interface AgentLink {
  /** Environment for the agent in pane `paneId` to connect back with. */
  env(paneId: number): Record<string, string>;
  /** To the agent in pane `paneId`; false when it is not connected. */
  send(paneId: number, m: WorkspaceMessage): boolean;
}

export interface PaneView {
  id: number;
  number: number;
  name: string;
  status: PaneStatus;
  focused: boolean;
  rect: Rect;
  /**
   * Columns kept free at the right end of the top border for the scroll position ("[3/120]"), which
   * the compositor draws itself (frontend.ts): a wheel notch then costs no render of the chrome.
   * 0 unless this is the focused pane in scroll mode.
   */
  positionWidth: number;
  /** Busy / waiting / idle and how it is known; undefined while not running or not yet read. */
  activity?: Activity;
  /** A problem with the last interrupt or instruction, shown in the title. */
  notice?: string;
  /** What the agent has cost so far (USD), when it reports it (built-in agents, Claude Code's status line). */
  cost?: number;
  /** Shared-context entries waiting for this agent's next turn. */
  pending?: number;
  conflict?: string;
  /** A file changed on this agent's branch and on another's (`src/cart.js also on agents/tests`). */
  branchConflict?: string;
  /** A breaker or a budget paused the agent: no new work reaches it until the person lets it go on. */
  paused?: boolean;
}

export interface UsageTotals {
  tokens: number;
  cost: number;
  /** False when some agent used a model without a known price. */
  priced: boolean;
  agents: number;
  /** The figures come from the offline demo's made-up prices. */
  simulated?: boolean;
}

export interface WorkspaceView {
  cols: number;
  rows: number;
  layout: LayoutMode;
  mode: Mode;
  dialog?: DialogView;
  /** The panes on screen (none while the terminal is too small; only the focused one when zoomed). */
  panes: PaneView[];
  /** Every pane, shown or not. */
  count: number;
  focusedId?: number;
  /** The focused pane's number and name, shown or not. */
  focus?: { number: number; name: string };
  zoomed: boolean;
  /** Set when the terminal cannot hold the layout: the size it needs. */
  tooSmall?: { cols: number; rows: number };
  message?: string;
  totals: UsageTotals;
  /** Every pane whose agent waits for the person (hidden ones too, when zoomed). */
  waiting: Array<{ number: number; name: string }>;
  /** Terminals attached to the workspace (more than one: the status bar says so). */
  clients: number;
  /** Set while the task board (prefix+t) is shown. */
  board?: BoardView;
  /** What on the board waits for the person: questions, blocked tasks, paused agents. */
  alerts: string[];
  /** Set while the context panel (prefix+f) is shown. */
  context?: ContextView & { rect: Rect; scroll: number };
}

export interface WorkspaceOptions {
  specs: PaneSpec[];
  layout: LayoutMode;
  cols: number;
  rows: number;
  scrollback?: number;
  /** What the new-pane picker offers: a list, or a function asked each time it opens. */
  presets?: PickerOption[] | (() => PickerOption[]);
  makeSpec?: (preset: string) => PaneSpec | string;
  spawn?: SpawnPty;
  /** The built-in agents' channel: environment for a new agent, and a way to command one. */
  agents?: AgentLink;
  context?: ContextPort;
  /** Resolves key events to commands (default: the default keymap). */
  keymap?: Keymap;
  /** First instructions for built-in agents, sent once each has connected (the --demo tour). */
  firstInstructions?: Record<string, string>;
  /** Usage figures are made up (the offline demo): the status bar says so. */
  simulated?: boolean;
  /** The task board: its settings, and the tasks of a resumed session. */
  tasks?: { settings?: Partial<TaskSettings>; restored?: Task[]; breakers?: { errorsInARow: number; sameToolErrors: number } };
  /** The git work behind agents with `"isolation": "worktree"` (absent: such panes say they cannot have one). */
  worktrees?: WorktreePort;
  /**
   * Extra environment and trailing arguments for programs other than built-in agents (MCP, context
   * file, hooks); `hooks` when the CLI was given hooks that report to the workspace.
   */
  external?: (spec: PaneSpec) => { env: Record<string, string>; args: string[]; hooks?: boolean };
  /** Decides writes into claimed paths instead of the workspace (tests); see Workspace.checkWrite. */
  checkWrite?: (agentName: string, paths: readonly string[]) => string | undefined;
}

/** One task as the board shows it. */
export interface TaskView {
  id: string;
  title: string;
  state: string;
  owner?: string;
  deps: string[];
  attempts: string;
  cost: string;
  check?: string;
  note?: string;
}

export interface BoardView {
  rect: Rect;
  tasks: TaskView[];
  selected: number;
  /** The board has the keyboard (board mode). */
  focused: boolean;
  questions: Array<{ id: number; from: string; question: string; choices?: string[] }>;
  warnings: string[];
  paused: Array<{ name: string; why: string }>;
}
