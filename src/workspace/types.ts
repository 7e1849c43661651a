/**
 * The workspace's data shapes: what goes in (options, the context port) and what comes out to the
 * UI (views). Plain data only; the live objects are in workspace.ts and pane.ts.
 */
import type { Rect } from '../render/grid.js';
import type { SpawnPty } from '../terminal/pty.js';
import type { WorkspaceMessage } from '../ipc/protocol.js';
import type { LayoutMode } from './layout.js';
import type { AgentReport, PaneStatus } from './pane.js';
import type { PaneSpec } from './presets.js';
import type { Activity } from './activity.js';

export type Mode = 'normal' | 'prefix' | 'scroll' | 'dialog';

export interface PickerOption {
  preset: string;
  label: string;
  note: string;
}

export type Dialog =
  | { kind: 'help' }
  | { kind: 'confirm'; action: 'quit' | 'close'; paneId?: number; text: string }
  | { kind: 'picker'; options: PickerOption[]; selected: number }
  /** The redirect/broadcast/note prompt bar; its text lives in the input router's line editor. */
  | { kind: 'prompt'; target: 'focused' | 'all' | 'note'; text: string; cursor: number };

/** The shared context as the chrome shows it: plain, preformatted data. */
export interface ContextView {
  lines: Array<{ id: number; time: string; who: string; kind: string; path: string; size: string }>;
  notes: Array<{ id: number; time: string; author: string; text: string }>;
  /** Entries each built-in agent has not been given yet. */
  pending: Record<string, number>;
  /** Files two parties changed close together, by pane name. */
  conflicts: Record<string, string>;
}

/** What the workspace needs from the shared-context service (src/context). */
export interface ContextPort {
  view(): ContextView;
  postNote(author: string, text: string): void;
  subscribe(onChange: () => void): () => void;
}

export interface PaneView {
  id: number;
  number: number;
  name: string;
  status: PaneStatus;
  focused: boolean;
  rect: Rect;
  scroll: number;
  scrollMax: number;
  agent?: AgentReport;
  /** Busy / waiting / idle and how it is known; undefined while not running or not yet read. */
  activity?: Activity;
  /** A problem with the last interrupt or instruction, shown in the title. */
  notice?: string;
  /** What the agent has cost so far (USD), when it reports it (built-in agents). */
  cost?: number;
  /** Shared-context entries waiting for this agent's next turn. */
  pending?: number;
  conflict?: string;
}

export interface UsageTotals {
  tokens: number;
  cost: number;
  /** False when some agent used a model without a known price. */
  priced: boolean;
  agents: number;
}

export interface WorkspaceView {
  cols: number;
  rows: number;
  layout: LayoutMode;
  mode: Mode;
  dialog?: Dialog;
  panes: PaneView[];
  focusedId?: number;
  zoomed: boolean;
  /** Set when the terminal cannot hold the layout: the size it needs. */
  tooSmall?: { cols: number; rows: number };
  message?: string;
  totals: UsageTotals;
  /** Every pane whose agent waits for the person (hidden ones too, when zoomed). */
  waiting: Array<{ number: number; name: string }>;
  /** Set while the context panel (prefix+f) is shown. */
  context?: ContextView & { rect: Rect; scroll: number };
}

export interface WorkspaceOptions {
  specs: PaneSpec[];
  layout: LayoutMode;
  cols: number;
  rows: number;
  scrollback?: number;
  presets?: PickerOption[];
  makeSpec?: (preset: string) => PaneSpec | string;
  spawn?: SpawnPty;
  /** The built-in agents' channel: environment for a new agent, and a way to command one. */
  agents?: {
    env(paneId: number): Record<string, string>;
    send(paneId: number, m: WorkspaceMessage): boolean;
  };
  context?: ContextPort;
  /** Extra environment and trailing arguments for programs other than built-in agents (MCP, context file). */
  external?: (spec: PaneSpec) => { env: Record<string, string>; args: string[] };
  /** The demo: costs and model names are made up, and the status bar should say so. */
  simulated?: boolean;
}
