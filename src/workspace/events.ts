/**
 * What goes into the workspace and what comes out of it, as data.
 *
 * In: every change to the workspace's state is a `WorkspaceInput` handed to `Workspace.dispatch`:
 * keys and commands from a person, agent reports from the IPC channel, process starts and exits,
 * screen readings, timers, and the outcomes of the workspace's own asynchronous steps (an interrupt
 * confirmed, an instruction not delivered). Nothing else writes the workspace's state.
 *
 * Out: typed domain events (`DomainEvents`) for whoever subscribes: the session store, the shared
 * context, the renderer. The wiring never fans messages out by hand.
 */
import type { AgentMessage, UsageReport, WorkspaceMessage } from '../ipc/protocol.js';
import type { KeyEvent } from '../terminal/input.js';
import type { ProcessState } from '../terminal/pane-terminal.js';
import type { CommandId } from '../config/keymap.js';
import type { ActivitySource, ActivityState } from './activity.js';
import type { HookEvent } from '../hooks/hook-event.js';
import type { PaneSpec } from './presets.js';
import type { BoardAnswer, BoardRequest } from '../tasks/requests.js';
import type { CheckResult, Task, TaskState } from '../tasks/task.js';
import type { PlannedStep } from '../tasks/workflow.js';
import type { LayoutMode } from './layout.js';
import type { Pane } from './pane.js';
import type { WorktreeOutcome } from './worktrees.js';

export type { AgentMessage, UsageReport, WorkspaceMessage };

/** A named command with its argument (the pane number for `pane.focus`, 0-based). */
export interface Command {
  id: CommandId;
  arg?: number;
}

/** A screen, process or guess reading of what a pane's program is doing (see activity.ts). */
export interface Reading {
  state: ActivityState;
  source: ActivitySource;
  reason: string;
  /** Read off the screen of a CLI whose hooks have not reported (the title marks it). */
  silentHooks?: boolean;
}

export type WorkspaceInput =
  // From a person (any attached terminal).
  | { t: 'key'; ev: KeyEvent }
  | { t: 'command'; command: Command }
  | { t: 'resize'; cols: number; rows: number }
  // From the world.
  /** An agent's own report: a built-in agent's over IPC, or a CLI's usage from its status line. */
  | { t: 'agent'; pane: number; message: AgentMessage }
  /** An event from a CLI's hooks (src/hooks), already tied to its pane by the pane's token. */
  | { t: 'hook'; pane: number; event: HookEvent }
  | { t: 'process'; pane: number; state: ProcessState }
  | { t: 'context' }
  // The workspace's own steps and timers.
  | { t: 'reading'; pane: number; reading: Reading }
  | { t: 'notice'; pane: number; notice: string | undefined }
  | { t: 'say'; text: string | undefined }
  | { t: 'turn-started'; pane: number }
  | { t: 'add-pane'; spec: PaneSpec }
  /** A new pane from a preset (the picker, or an agent's request); a preset that cannot start is said. */
  | { t: 'new-pane'; preset: string; worktree?: boolean }
  | { t: 'close-pane'; pane: number }
  | { t: 'layout'; layout: LayoutMode }
  /** How many terminals are attached (the workspace server's clients). */
  | { t: 'clients'; count: number }
  | { t: 'tick' }
  | { t: 'quit' }
  // The task board.
  /** A board request from the person ('you'), an agent (by name) or the command line; `reply` gets the answer. */
  | { t: 'board'; by: string; request: BoardRequest; reply?: (a: BoardAnswer) => void }
  /** The supervisor delivered a task's instruction to its owner. */
  | { t: 'task-started'; id: string }
  /** A task's instruction could not be delivered (its owner closed, or never came back to its prompt). */
  | { t: 'task-undelivered'; id: string; why: string; block?: boolean }
  | { t: 'task-checked'; id: string; result: CheckResult }
  /** The person answers a question an agent asked (ask_human). */
  | { t: 'answer'; question: number; text: string }
  /** A workflow's steps become tasks, owned by the agents of their roles (`owners`: role -> pane name). */
  | { t: 'workflow'; name: string; steps: PlannedStep[]; owners: Record<string, string>; reply?: (ids: string[]) => void }
  /** A breaker outside the workspace (the supervisor's stall check) pauses an agent. */
  | { t: 'pause-agent'; pane: number; why: string }
  /** The person lets a paused agent go on (after raising what stopped it). */
  | { t: 'resume-agent'; pane: number }
  // Worktrees (worktrees.ts): a pane's worktree made or refused, a review or a refusal to show.
  | { t: 'worktree'; outcome: WorktreeOutcome };

/** A built-in agent's report, decoded once, with the way to answer it. */
export interface AgentEvent {
  pane: number;
  name: string;
  message: AgentMessage;
  reply: (m: WorkspaceMessage) => void;
}

export interface DomainEvents {
  /** The view changed: published once per dispatched input (or batch of readings). */
  change: [];
  /** A pane's screen changed. The hot path: emitted per parsed batch of output, never through dispatch. */
  dirty: [Pane];
  /** The person's keys went to the focused pane: its echo is worth drawing at once. */
  typed: [];
  /** A built-in agent reported something. */
  agent: [AgentEvent];
  /** An agent started waiting for the person. */
  attention: [Pane];
  /** A CLI's own conversation id now has a conversation behind it (worth resuming). */
  conversation: [Pane];
  /** A pane was added (after the initial set) or closed. */
  'pane-added': [Pane];
  'pane-closed': [Pane];
  /** The person (or the last pane closing) ended the workspace. */
  quit: [];
  /** The terminal whose keys are being handled asks to detach. */
  detach: [];
  /** A task was created or changed (`from`: the state it left, when it moved). */
  task: [TaskChange];
  /** Something on the board wants the person: a blocked task, a question, a budget (bell, command, status bar). */
  alert: [{ text: string; pane?: Pane }];
}

/** What a subscriber to agent reports needs of the workspace: the session store and the shared context use it. */
export interface AgentEventSource {
  on(event: 'agent', listener: (e: AgentEvent) => void): unknown;
  off(event: 'agent', listener: (e: AgentEvent) => void): unknown;
}

export interface TaskChange {
  /** A copy: the board's own record stays the workspace's. */
  task: Task;
  from?: TaskState;
  by: string;
}

/** What keeps the task board (the session store) needs of the workspace. */
export interface TaskEventSource {
  on(event: 'task', listener: (c: TaskChange) => void): unknown;
  off(event: 'task', listener: (c: TaskChange) => void): unknown;
}
