/**
 * The block appended to the end of an agent's next user message: what others changed since its
 * previous turn, grouped by who, and the new notes. Pure formatting; the feed decides what is pending.
 *
 * It is appended, never inserted into earlier messages, so the prompt prefix stays cacheable. Its
 * size is bounded: everything is listed when it fits the budget; otherwise each group gets a count,
 * its +/- totals and folders, then as many of its most relevant paths as fit (alternately the most
 * recent and the most changed). The result never exceeds `maxChars`. File and folder names are shown
 * escaped (`printable`): a name holding a newline cannot add a line of its own to the block.
 */
import { combineKinds, dirOf, folderCounts, type FileKind } from './burst.js';
import { printable } from '../util/safe-text.js';
import { claimText, whoLabel, type EntryKind, type FeedEntry, type Note, type Who } from './feed-types.js';
import { plural } from '../util/text.js';

export interface DeliveryOptions {
  /** Budget at ~4 characters a token. */
  maxTokens?: number;
  /** Hard cap on the block's characters, whatever the token budget. */
  maxChars?: number;
}

export const DEFAULT_DELIVERY: Required<DeliveryOptions> = { maxTokens: 375, maxChars: 1500 };

/** The usual rule of thumb for English and code: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface BlockInput {
  entries: FeedEntry[];
  notes: Note[];
  /** Entries for this agent were dropped from the feed before it could see them. */
  missed?: boolean;
  /** Whether the receiving agent itself changed this path lately (a likely conflict). */
  alsoYours?: (path: string) => boolean;
  /** For an entry from another tree than the receiver's (an agent worktree), where it is: `on agents/tests, not in your tree`. */
  elsewhere?: (e: FeedEntry) => string | undefined;
}

const OPEN = '<workspace_update>';
const CLOSE = '</workspace_update>';

/** Whether a text block of a user message is one of these blocks (the pane shows the person's words only). */
export function isUpdateBlock(text: string): boolean {
  return text.startsWith(OPEN) && text.trimEnd().endsWith(CLOSE);
}
const INTRO = 'Changed by others since your last turn:';
const MISSED = 'Some earlier changes are no longer listed; check git status.';
const NOTE_CHARS = 300;

interface Item {
  path: string;
  kind: EntryKind;
  from?: string;
  dir?: true;
  lines?: { added: number; removed: number };
  bytes?: number;
  lastId: number;
  claim?: { task: string; owner: string };
}

interface Group {
  who: Who;
  /** Another tree's changes: where (see BlockInput.elsewhere). */
  where?: string;
  items: Map<string, Item>;
  bursts: FeedEntry[];
}

export function formatBlock(input: BlockInput, options: DeliveryOptions = {}): string | undefined {
  if (input.entries.length === 0 && input.notes.length === 0) return undefined;
  const { maxTokens, maxChars } = { ...DEFAULT_DELIVERY, ...options };
  const budget = Math.min(maxTokens * 4, maxChars);
  const fixed = [OPEN, ...(input.entries.length > 0 ? [INTRO] : []), ...(input.missed ? [MISSED] : []), CLOSE];
  let left = budget - lineCost(fixed);

  const noteLines = fitNotes(input.notes, input.entries.length > 0 ? Math.floor(left * 0.4) : left);
  left -= lineCost(noteLines);

  const groups = groupEntries(input.entries, input.elsewhere);
  // "You changed it too" is about the receiver's own tree; another branch's file is a different file.
  const mark = (g: Group) => (it: Item) => `${it.claim ? ` (${claimText(it.claim)})` : ''}${!g.where && input.alsoYours?.(it.path) ? ' (you changed it too!)' : ''}`;
  let changeLines = groups.map((g) => `${groupLabel(g)}: ${[...g.bursts.map(burstText), ...[...g.items.values()].map((it) => itemText(it) + mark(g)(it))].join(', ')}`);
  if (lineCost(changeLines) > left) changeLines = compactLines(groups, left, mark);

  const body = [OPEN, ...(input.entries.length > 0 ? [INTRO, ...changeLines] : []), ...(input.missed ? [MISSED] : []), ...noteLines];
  return capLines(body, maxChars);
}

function lineCost(lines: string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

/** The newest notes that fit, each cut to NOTE_CHARS; older ones are pointed to, not lost. */
function fitNotes(notes: Note[], room: number): string[] {
  const lines: string[] = [];
  let used = 0;
  let skipped = 0;
  for (let i = notes.length - 1; i >= 0; i--) {
    const n = notes[i];
    const text = n.text.length > NOTE_CHARS ? `${n.text.slice(0, NOTE_CHARS - 1)}… (read_notes for all of it)` : n.text;
    const line = `Note #${n.id} from ${n.author}: ${text.replace(/\s*\n\s*/g, ' / ')}`;
    if (skipped === 0 && used + line.length + 1 + 40 <= room) {
      lines.unshift(line);
      used += line.length + 1;
    } else skipped++;
  }
  if (skipped > 0) lines.unshift(`${plural(skipped, 'more note')}: use read_notes.`);
  return lines;
}

/** `agent tests, on agents/tests, not in your tree` */
function groupLabel(g: Group): string {
  return g.where ? `${whoLabel(g.who)}, ${printable(g.where)}` : whoLabel(g.who);
}

function groupEntries(entries: FeedEntry[], elsewhere?: (e: FeedEntry) => string | undefined): Group[] {
  const groups = new Map<string, Group>();
  for (const e of entries) {
    const where = elsewhere?.(e);
    const key = `${e.who.kind === 'agent' ? `a:${e.who.name}` : e.who.kind === 'guess' ? `g:${e.who.pane}` : 'o'}\0${where ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { who: e.who, where, items: new Map(), bursts: [] }));
    if (e.summary) g.bursts.push(e);
    else mergeItem(g.items, e);
  }
  // The receiver's own tree first, then agents, then guessed panes, then plain outside: most
  // specific attribution first (the sort is stable, so arrival order holds within a rank).
  const rank = (g: Group) => (g.where ? 3 : 0) + (g.who.kind === 'agent' ? 0 : g.who.kind === 'guess' ? 1 : 2);
  return [...groups.values()].filter((g) => g.items.size + g.bursts.length > 0).sort((a, b) => rank(a) - rank(b));
}

/** Several changes to one path by one party read as one: net kind, summed lines. */
function mergeItem(items: Map<string, Item>, e: FeedEntry): void {
  const lines = e.size && 'added' in e.size ? e.size : undefined;
  const bytes = e.size && 'bytes' in e.size ? e.size.bytes : undefined;
  const prev = items.get(e.path);
  if (!prev) {
    items.set(e.path, { path: e.path, kind: e.kind, from: e.from, dir: e.dir, lines, bytes, lastId: e.id, claim: e.claim });
    return;
  }
  const net = combineKinds(asFileKind(prev.kind), asFileKind(e.kind));
  items.delete(e.path); // re-insert: the item moves to where its latest change is
  if (net === undefined) return;
  const kind: EntryKind = net === 'added' && prev.kind === 'renamed' ? 'renamed' : net;
  const sum = prev.lines && lines ? { added: prev.lines.added + lines.added, removed: prev.lines.removed + lines.removed } : lines;
  items.set(e.path, { ...prev, kind, lines: kind === 'deleted' ? undefined : sum, bytes, lastId: e.id, claim: e.claim ?? prev.claim });
}

function asFileKind(k: EntryKind): FileKind {
  return k === 'renamed' ? 'added' : k;
}

function itemText(it: Item): string {
  const name = printable(it.dir ? `${it.path}/` : it.path);
  if (it.kind === 'deleted') return `${name} (deleted)`;
  if (it.kind === 'renamed') return `${name} (renamed from ${it.from === undefined ? '?' : printable(it.from)})`;
  const tag = it.kind === 'added' ? (it.dir ? ' (new folder)' : ' (new)') : '';
  if (it.lines) return `${name}${tag} ${it.kind === 'added' ? `+${it.lines.added}` : `+${it.lines.added} -${it.lines.removed}`}`;
  if (it.bytes !== undefined) return `${name}${tag} (${formatBytes(it.bytes)})`;
  return `${name}${tag}${tag === '' ? ' (modified)' : ''}`;
}

function burstText(e: FeedEntry): string {
  const s = e.summary!;
  const kinds = (['added', 'modified', 'deleted'] as const).filter((k) => s.kinds[k] > 0).map((k) => `${s.kinds[k]} ${k}`);
  const all = Object.entries(s.folders);
  const folders = all.slice(0, 4).map(([f, n]) => `${printable(f)} ${n}`);
  if (all.length > 4) folders.push('…');
  return `${s.files} files at once under ${e.path === '.' ? './' : `${printable(e.path)}/`} (${kinds.join(', ')}; ${folders.join(', ')})`;
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Counts and folders per group, then the most relevant paths while they fit in `room`. */
function compactLines(groups: Group[], room: number, mark: (g: Group) => (it: Item) => string): string[] {
  const heads = groups.map((g) => {
    const dirs = new Map<string, number>();
    let added = 0;
    let removed = 0;
    for (const it of g.items.values()) {
      dirs.set(dirOf(it.path), (dirs.get(dirOf(it.path)) ?? 0) + 1);
      added += it.lines?.added ?? 0;
      removed += it.lines?.removed ?? 0;
    }
    let files = g.items.size;
    for (const b of g.bursts) {
      files += b.summary!.files;
      for (const [f, n] of Object.entries(b.summary!.folders)) {
        const dir = f === 'other/' ? (b.path === '.' ? '' : b.path) : f === './' ? '' : f.slice(0, -1);
        dirs.set(dir, (dirs.get(dir) ?? 0) + n);
      }
    }
    const folders = Object.entries(folderCounts(dirs, 4)).map(([f, n]) => `${printable(f)} ${n}`);
    const lines = added + removed > 0 ? ` (+${added} -${removed})` : '';
    return `${groupLabel(g)}: ${plural(files, 'file')}${lines} in ${folders.join(', ')}`;
  });
  const ranked = groups.map((g) => rankItems([...g.items.values()]).map((it) => itemText(it) + mark(g)(it)));
  const picked: string[][] = groups.map(() => []);
  const moreCost = 24; // "; e.g. " and ", … +NNNNNN more"
  let used = heads.reduce((n, h) => n + h.length + 1 + moreCost, 0);
  for (let progress = true; progress; ) {
    progress = false;
    for (let i = 0; i < groups.length; i++) {
      const next = ranked[i][picked[i].length];
      if (next === undefined || used + next.length + 2 > room) continue;
      picked[i].push(next);
      used += next.length + 2;
      progress = true;
    }
  }
  return heads.map((h, i) => {
    if (picked[i].length === 0) return h;
    const more = ranked[i].length - picked[i].length;
    return `${h}; e.g. ${picked[i].join(', ')}${more > 0 ? `, … +${more} more` : ''}`;
  });
}

/** Alternately the most recent and the most changed, without repeats. */
function rankItems(items: Item[]): Item[] {
  const recent = [...items].sort((a, b) => b.lastId - a.lastId);
  const weight = (it: Item) => (it.lines ? it.lines.added + it.lines.removed : (it.bytes ?? 0) / 40);
  const changed = [...items].sort((a, b) => weight(b) - weight(a) || b.lastId - a.lastId);
  const out: Item[] = [];
  const seen = new Set<Item>();
  for (let i = 0; out.length < items.length; i++) {
    for (const it of [recent[i], changed[i]]) {
      if (it && !seen.has(it)) {
        seen.add(it);
        out.push(it);
      }
    }
  }
  return out;
}

/** Last resort for the hard cap (many groups): whole lines while they fit, cut lines marked. */
function capLines(body: string[], maxChars: number): string {
  const room = maxChars - CLOSE.length - 1;
  const out: string[] = [];
  let used = 0;
  for (const line of body) {
    if (used + line.length + 1 <= room) {
      out.push(line);
      used += line.length + 1;
    } else {
      const cut = room - used - 2;
      if (cut > 20) out.push(`${line.slice(0, cut)}…`);
      break;
    }
  }
  return [...out, CLOSE].join('\n');
}
