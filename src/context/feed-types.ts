/**
 * Plain data shared by the change feed's parts: what the watcher and the agents hand in, what the feed
 * hands out. No live objects here, so entries and notes can go to the session store (issue 5) as they are.
 */
import * as z from 'zod';
import type { ContentCacheLimits } from './content-cache.js';
import type { Baseline, Reader } from './reader.js';
import { lazy } from '../util/lazy.js';
import { printable } from '../util/safe-text.js';

/** One event from the file watcher (src/context/watcher.ts); `path` is relative to the root, posix. */
export interface WatchEvent {
  path: string;
  kind: 'added' | 'modified' | 'deleted';
  isDir: boolean;
  time: number;
}

/** A built-in agent's write tool announces each write before it lands (see agent/tools/write-file.ts). */
export interface WriteRegistration {
  agent: string;
  path: string;
  /** sha256 hex of the new content, the same bytes the watcher will see. */
  hash: string;
}

/** Built on first use: a stored feed entry read back (on resume). */
export const whoSchema = lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('agent'), name: z.string() }),
    z.object({ kind: z.literal('outside') }),
    z.object({ kind: z.literal('guess'), pane: z.string() }),
  ]),
);
export type Who = z.infer<ReturnType<typeof whoSchema>>;

export type EntryKind = 'added' | 'modified' | 'deleted' | 'renamed';

/** Lines for text files under the size limit whose previous content was known; bytes otherwise. */
export type ChangeSize = { added: number; removed: number } | { bytes: number };

/** What a coalesced burst (a branch switch, an install) touched; one entry stands for all of it. */
export interface BurstSummary {
  /** Distinct paths (events, once more than `maxTrackedPaths` distinct paths were seen). */
  files: number;
  /** Counts per folder under the burst's common folder; small folders fold into `other/`. */
  folders: Record<string, number>;
  kinds: Record<'added' | 'modified' | 'deleted', number>;
}

export interface FeedEntry {
  /** Monotonic, shared with notes, so one cursor per agent covers both. */
  id: number;
  time: number;
  /** For a summary: the burst's common folder ('.' for the root). */
  path: string;
  kind: EntryKind;
  /** The old path, for `renamed`. */
  from?: string;
  dir?: true;
  who: Who;
  size?: ChangeSize;
  summary?: BurstSummary;
  /** The branch of the agent worktree it happened in (`agents/tests`); absent: the project's own tree. */
  branch?: string;
  /** Set when the change landed in a path a task claims for someone else: the task and its owner. */
  claim?: { task: string; owner: string };
}

export interface Note {
  id: number;
  time: number;
  /** An agent's name, or PERSON for the person at the keyboard. */
  author: string;
  text: string;
  /** For one agent only (the task board telling a lead its task is done); everyone's when absent. */
  to?: string;
}

export const PERSON = 'person';

/** A note's author as people and agents read it: the person at the keyboard is `you`. */
export const authorName = (author: string) => (author === PERSON ? 'you' : author);

export interface Conflict {
  path: string;
  /** Agent names, or 'outside'; sorted so a pair reads the same whichever side wrote last. */
  parties: [string, string];
  who: [Who, Who];
  time: number;
}

/** A change by someone else to a file since an agent last read or wrote it. */
export interface Touch {
  party: string;
  who: Who;
  time: number;
  id: number;
  kind: EntryKind;
}

/** Time and timers, injected so tests drive them (no sleeps). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // unref: a pending hold or burst timer must never keep the process alive on quit.
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The name a Who goes by in conflicts and touches: guesses are still outside changes. */
export function partyOf(who: Who): string {
  return who.kind === 'agent' ? who.name : 'outside';
}

/**
 * Who made a change, in the one wording the context panel, context.md, `agents search`, MCP
 * read_changes and the agents' blocks share: an agent's name; `outside` for the person or any
 * program; `outside (shell?)` when it probably came from the program in pane `shell` (the one
 * external pane at work then: a guess, hence the `?`, but still an outside change).
 */
export function whoName(who: Who): string {
  if (who.kind === 'agent') return who.name;
  if (who.kind === 'guess') return `outside (${who.pane}?)`;
  return 'outside';
}

/** whoName for an agent's block, where a bare name could be read as anything: `agent lead`. */
export function whoLabel(who: Who): string {
  return who.kind === 'agent' ? `agent ${who.name}` : whoName(who);
}

/** A change into someone else's claim, in words (the feed, the context file, the panel). */
export function claimText(c: { task: string; owner: string }): string {
  return `claimed by ${printable(c.owner)} for ${printable(c.task)}`;
}

export interface ChangeFeedOptions {
  read: Reader;
  baseline?: Baseline;
  /** The one busy external pane whose folder holds `path`, if there is exactly one. */
  guessOwner?: (path: string) => string | undefined;
  /** The task claiming `path` for someone other than `writer` (an agent or pane name; none: outside), if any. */
  claimOf?: (path: string, writer: string | undefined) => { task: string; owner: string } | undefined;
  clock?: Clock;
  /** How long an unattributed change waits for a late announcement (150). */
  holdMs?: number;
  /** How far apart an announcement and its change may be (5000). */
  attributionWindowMs?: number;
  /** More events than this within `burstWindowMs` (50 in 1000) make a burst. */
  burstThreshold?: number;
  burstWindowMs?: number;
  /** A burst ends after this long without events (1000), or is cut every `burstMaxMs` (10000). */
  burstQuietMs?: number;
  burstMaxMs?: number;
  /** Two parties changing one file within this long is a conflict (60000). */
  conflictWindowMs?: number;
  /** Entries kept (2000) and notes kept (500). */
  maxEntries?: number;
  maxNotes?: number;
  /** The recent-content cache (2000 files, 20 MB, text of files up to 256 KB). */
  cache?: Partial<ContentCacheLimits>;
}

export type FeedEvents = { entry: [FeedEntry]; conflict: [Conflict]; note: [Note]; delivered: [agent: string, upTo: number] };
