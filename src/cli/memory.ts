/**
 * Session memory from the command line: `agents sessions`, `agents search QUERY`, and turning a
 * stored session back into panes for `--continue` / `--resume ID`.
 */
import { randomUUID } from 'node:crypto';
import { formatHits, formatSession } from '../store/search-format.js';
import { memoryRecords } from '../store/recorder.js';
import { ProjectStore, type AgentMeta, type SessionSummary } from '../store/store.js';
import { printable } from '../util/safe-text.js';
import { plural } from '../util/text.js';
import { defaultConfig } from '../config/schema.js';
import { findExecutable, PRESETS, resolveAgents, withConversation, type PaneSpec, type PresetName } from '../workspace/presets.js';

/** Opens the store read-only (a running workspace may hold the lock); undefined with a message otherwise. */
async function openForReading(projectDir: string): Promise<{ store?: ProjectStore; message?: string }> {
  const { store, error } = await ProjectStore.open(projectDir, { readOnly: true });
  return { store, message: error?.message };
}

/**
 * `agents sessions`: this project's sessions, newest first. Empty ones (see ProjectStore.hasContent)
 * are left out unless `all`, and the listing says how many it left out.
 */
export async function listSessions(projectDir: string, out: NodeJS.WriteStream, opts: { all: boolean } = { all: false }): Promise<number> {
  const { store, message } = await openForReading(projectDir);
  if (!store) {
    process.stderr.write(`agents: ${printable(message ?? 'no session store')}\n`);
    return 1;
  }
  const every = store.sessions();
  const sessions = opts.all ? every : every.filter((s) => store.hasContent(s));
  await store.close();
  const hidden = every.length - sessions.length;
  const hiddenNote = hidden > 0 ? `${plural(hidden, 'empty session')} not shown (nothing was said, noted or changed in them): 'agents sessions --all' lists them too.\n` : '';
  if (sessions.length === 0) {
    out.write(`No stored sessions with anything in them for ${printable(projectDir)} yet.\n${hiddenNote}`);
    return 0;
  }
  const now = Date.now();
  const width = out.columns || 100;
  for (const s of sessions) out.write(formatSession(s, { width, now, empty: opts.all && !store.hasContent(s) }));
  out.write(`\n${hiddenNote}Resume the latest with \`agents --continue\`, another with \`agents --resume ID\`.\n`);
  return 0;
}

export async function searchSessions(projectDir: string, query: string, out: NodeJS.WriteStream): Promise<number> {
  const { store, message } = await openForReading(projectDir);
  if (!store) {
    process.stderr.write(`agents: ${printable(message ?? 'no session store')}\n`);
    return 1;
  }
  // The search index (MiniSearch) is imported only here: the workspace server loads this module for
  // its session helpers on its way to its first frame.
  const { buildMemoryIndex } = await import('../store/search.js');
  const index = await buildMemoryIndex(memoryRecords(store));
  await store.close();
  const hits = index.search(query, { limit: 10 });
  out.write(formatHits(hits, { color: Boolean(out.isTTY) && !process.env.NO_COLOR, width: out.columns || 100, now: Date.now(), query }) + '\n');
  return 0;
}

/**
 * Gives each pane of a CLI that takes a conversation id (Claude Code, Gemini CLI) a fresh one, unless
 * it resumes one already. An id is recorded once the pane has had a turn (before that the CLI has no
 * conversation to resume, and resuming it would fail).
 */
export function assignConversations(specs: PaneSpec[]): void {
  for (const spec of specs) {
    const preset = spec.kind === 'command' && spec.preset ? PRESETS[spec.preset] : undefined;
    if (!preset?.conversation || spec.conversation) continue;
    const id = randomUUID();
    spec.args = withConversation(spec.args, preset, id, false);
    spec.conversation = { id, had: false };
  }
}

/** What a pane was, for the store (the environment is sanitised by the store itself). */
export function metaOf(spec: PaneSpec): AgentMeta {
  return {
    name: spec.name,
    kind: spec.kind,
    preset: spec.preset,
    command: spec.command,
    // Without the id flags we added: they are put back from `resume` when the session is resumed.
    args: withoutConversationArgs(spec),
    cwd: spec.cwd,
    model: spec.model,
    env: Object.keys(spec.env).length ? spec.env : undefined,
    ...(spec.worktree ? { isolation: 'worktree' as const, worktree: spec.worktree.name, ...(spec.worktree.sub ? { worktreeSub: spec.worktree.sub } : {}) } : {}),
    ...(spec.spawned ? { spawned: true } : {}),
  };
}

function withoutConversationArgs(spec: PaneSpec): string[] {
  const conversation = spec.preset ? PRESETS[spec.preset].conversation : undefined;
  if (!conversation) return spec.args;
  const flags = new Set([...conversation.start('x'), ...conversation.resume('x')].filter((a) => a !== 'x'));
  return spec.args.filter((a, i) => !flags.has(a) && !flags.has(spec.args[i - 1]));
}

/**
 * The panes of a stored session, started again: built-in agents as themselves (their conversation
 * comes back over IPC), external CLIs with their own "continue" flag where the preset knows one,
 * other commands as they were.
 */
export function specsFromSession(s: SessionSummary, projectDir: string, env: NodeJS.ProcessEnv): PaneSpec[] {
  return s.agents.map((stored): PaneSpec => {
    const spec = specFromMeta(stored, projectDir, env);
    // Back in its own worktree (the workspace finds it, or makes it again on its branch with its commits).
    if (stored.isolation === 'worktree' && stored.worktree) spec.worktree = { name: stored.worktree, ...(stored.worktreeSub ? { sub: stored.worktreeSub } : {}) };
    if (stored.spawned) spec.spawned = true;
    return spec;
  });
}

function specFromMeta(stored: AgentMeta, projectDir: string, env: NodeJS.ProcessEnv): PaneSpec {
  // A worktree agent's stored folder is its worktree's: it starts from the project until that is found again.
  const a = stored.isolation === 'worktree' ? { ...stored, cwd: projectDir } : stored;
  const preset = a.preset as PresetName | undefined;
  if (preset && PRESETS[preset]) {
    const config = { ...defaultConfig(), agents: [{ name: a.name, preset, model: a.model }] };
    const spec = resolveAgents({ names: [a.name], cmds: [], config, projectDir: a.cwd || projectDir, env }).specs[0];
    const { resumeArgs, conversation } = PRESETS[preset];
    // A conversation id of its own is exact; without one (it never had a turn) it starts afresh.
    if (spec && spec.kind === 'command' && conversation) {
      if (a.resume) {
        spec.args = withConversation(spec.args, PRESETS[preset], a.resume, true);
        spec.conversation = { id: a.resume, had: true };
      }
    } else if (spec && spec.kind === 'command' && resumeArgs) spec.args = [...spec.args, ...resumeArgs];
    if (spec) return { ...spec, cwd: a.cwd || spec.cwd, env: { ...(a.env ?? {}), ...spec.env } };
  }
  const found = a.command ? findExecutable(a.command, { pathEnv: env.PATH ?? '', projectDir: a.cwd || projectDir }) : undefined;
  return {
    name: a.name,
    title: a.name,
    kind: found ? 'command' : 'missing',
    command: found ?? a.command,
    args: a.args,
    cwd: a.cwd || projectDir,
    env: a.env ?? {},
    interrupt: 'ctrl-c',
    message: found ? undefined : `${a.command ?? a.name} is not installed any more (not found on PATH).`,
  };
}
