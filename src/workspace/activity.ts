/**
 * What an agent in a pane is doing — busy, waiting for the person, or idle at its prompt — and how
 * we know it. Built-in agents report it over IPC (exact); Claude Code and Codex report it through
 * their hooks (exact for what they report, see src/hooks); external CLIs are otherwise read from
 * their screen by per-preset rules (see detectors.ts); shells from the terminal's foreground process
 * group; anything else is guessed from output activity and marked as a guess.
 *
 * The rule engine here is pure (screen lines in, reading out), so the recorded screens of real CLIs in
 * test/fixtures/screens drive it directly.
 */

export type ActivityState = 'busy' | 'waiting' | 'idle';

/**
 * reported: a built-in agent said so; hook: the CLI's hook said so; screen: a preset rule matched;
 * process: the OS said so; guess: output timing.
 */
export type ActivitySource = 'reported' | 'hook' | 'screen' | 'process' | 'guess';

export interface Activity {
  state: ActivityState;
  source: ActivitySource;
  /** Which rule or signal decided, for the log and for tests ("claude:permission", "fg:npm"). */
  reason: string;
  /** When this state began (ms since epoch); unchanged while the state holds. */
  since: number;
  /** The state before this one. */
  previous?: ActivityState;
  /** Read from the screen of a CLI that was given hooks which have not reported in this run. */
  silentHooks?: boolean;
}

/** A built-in agent's own report, and the state the workspace treats it as. */
export const AGENT_STATES = { idle: 'idle', error: 'idle', thinking: 'busy', tool: 'busy', approval: 'waiting' } as const;
export type AgentStatusName = keyof typeof AGENT_STATES;

/** A dialog that flickers through another state within this long does not ring twice. */
export const ATTENTION_QUIET_MS = 3000;

/**
 * The activity after a reading, and whether the pane just started waiting for the person in a way
 * that should raise attention (not a dialog redrawn through another state a moment ago).
 * `leftWaitingAt`: when the pane last stopped waiting.
 */
export function nextActivity(
  prev: Activity | undefined,
  r: { state: ActivityState; source: ActivitySource; reason: string; silentHooks?: boolean },
  now: number,
  leftWaitingAt: number | undefined,
): { activity: Activity; attention: boolean; changed: boolean } {
  if (prev && prev.state === r.state && prev.source === r.source && prev.silentHooks === r.silentHooks) {
    return { activity: prev.reason === r.reason ? prev : { ...prev, reason: r.reason }, attention: false, changed: prev.reason !== r.reason && r.source === 'reported' };
  }
  const changed = prev?.state !== r.state;
  const activity: Activity = { ...r, since: changed || !prev ? now : prev.since, previous: changed ? prev?.state : prev?.previous };
  const attention = r.state === 'waiting' && prev?.state !== 'waiting' && (leftWaitingAt === undefined || now - leftWaitingAt > ATTENTION_QUIET_MS);
  return { activity, attention, changed: true };
}

/**
 * One rule: when `pattern` matches the last `last` non-blank lines of the screen (joined with "\n",
 * trailing spaces removed), the agent is in `state`. Rules are tried in order; the first match wins,
 * so put the narrowest (a dialog) before the broadest (an input box).
 */
export interface DetectorRule {
  state: ActivityState;
  name: string;
  /** A regular expression source; compiled with the 'm' flag (and 'i' when `ignoreCase`). */
  pattern: string;
  ignoreCase?: boolean;
  /** How many non-blank lines from the bottom to search. Default 12. */
  last?: number;
  /**
   * The screen shows a turn that ended by a key (an interrupt, a refused tool): hooks report nothing
   * then, so this reading counts even while the pane's hooks lead (see screenOverHooks).
   */
  ends?: boolean;
}

export interface Detector {
  rules: readonly DetectorRule[];
}

export interface Reading {
  state: ActivityState;
  rule: string;
  /** The rule is one of those marked `ends`. */
  ends?: boolean;
}

const DEFAULT_LAST = 12;

interface Compiled {
  rule: DetectorRule;
  re: RegExp;
}

const compiledCache = new WeakMap<Detector, Compiled[]>();

function compile(d: Detector): Compiled[] {
  let c = compiledCache.get(d);
  if (!c) {
    c = d.rules.map((rule) => ({ rule, re: new RegExp(rule.pattern, rule.ignoreCase ? 'mi' : 'm') }));
    compiledCache.set(d, c);
  }
  return c;
}

/** The screen's non-blank lines, trailing spaces removed (the shape rules are written against). */
export function meaningfulLines(screen: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of screen) {
    const t = line.replace(/\s+$/, '');
    if (t !== '') out.push(t);
  }
  return out;
}

/** Reads a screen with a detector's rules; undefined when no rule matches. */
export function readScreen(detector: Detector, screen: readonly string[]): Reading | undefined {
  const lines = meaningfulLines(screen);
  const tails = new Map<number, string>();
  for (const { rule, re } of compile(detector)) {
    const n = rule.last ?? DEFAULT_LAST;
    let text = tails.get(n);
    if (text === undefined) {
      text = lines.slice(-n).join('\n');
      tails.set(n, text);
    }
    if (re.test(text)) return rule.ends ? { state: rule.state, rule: rule.name, ends: true } : { state: rule.state, rule: rule.name };
  }
  return undefined;
}

/** Output within this long means a program without rules is probably working. */
export const GUESS_BUSY_MS = 1500;

/** Output this soon after a keystroke is its echo, not work. */
export const ECHO_MS = 250;

/**
 * The guess for programs no rule can read: output lately means busy — unless it was only the echo of
 * what the person typed (a status flipping with every key would also redraw the chrome per key).
 */
export function guessFromOutput(lastOutput: number, now: number, lastTyped = 0): Reading {
  const echo = lastOutput >= lastTyped && lastOutput - lastTyped < ECHO_MS;
  return now - lastOutput < GUESS_BUSY_MS && !echo ? { state: 'busy', rule: 'output' } : { state: 'idle', rule: 'quiet' };
}

const LABEL: Record<ActivityState, string> = { busy: 'busy', waiting: 'needs you', idle: 'idle' };
const AGENT_LABEL: Record<AgentStatusName, string> = { idle: 'idle', thinking: 'thinking', tool: 'running a tool', approval: 'needs approval', error: 'error' };

/**
 * The pane title's word for an activity, marked by how it is known: a built-in agent's own word; no
 * mark when exact (hooks, the OS) or read by a CLI's screen rules; `~` when read from the screen of a
 * CLI whose hooks should be reporting but are not; `?` for a guess.
 */
export function activityLabel(a: Activity): string {
  if (a.source === 'reported' && a.reason in AGENT_LABEL) return AGENT_LABEL[a.reason as AgentStatusName];
  return LABEL[a.state] + (a.source === 'guess' ? '?' : a.silentHooks ? '~' : '');
}

/** A screen reading as the workspace takes it in. */
export interface ScreenReading {
  state: ActivityState;
  source: 'screen';
  reason: string;
  ends?: boolean;
}

/**
 * For a pane whose CLI reports through hooks: what a screen reading may still change. Hooks are exact
 * for what they report; the screen is not always (with its status line set, Claude Code shows no
 * "esc to interrupt" while a long answer streams, so its screen reads idle then). What hooks never
 * report is what keys do to a turn, and the dialogs they have no event for:
 *
 * - a dialog on the screen is waiting for the person, whatever the hooks said last;
 * - a dialog that closes (seen on the screen, or answered by keys since the last hook event) goes back
 *   to what the CLI did before it (the turn goes on after a permission is granted), unless the screen
 *   shows the turn ended (a refused tool);
 * - after keys since the last hook event (Esc), a screen showing the turn ended (`ends` rules) ends it.
 *
 * Anything else the screen says is left to the hooks (undefined).
 */
export function screenOverHooks(
  current: Activity | undefined,
  r: ScreenReading,
  keysSinceHook: boolean,
): { state: ActivityState; source: ActivitySource; reason: string } | undefined {
  const reading = { state: r.state, source: r.source, reason: r.reason };
  if (!current || r.state === 'waiting') return reading;
  if (current.state === 'waiting' && (current.source === 'screen' || keysSinceHook)) {
    if (r.ends || current.previous !== 'busy') return reading;
    return { state: 'busy', source: 'hook', reason: 'dialog-closed' };
  }
  if (r.ends && keysSinceHook && current.state !== 'idle') return reading;
  return undefined;
}

/** A built-in agent whose last turn ended in an error. */
export const isAgentError = (a: Activity | undefined): boolean => a?.source === 'reported' && a.reason === 'error';
