/**
 * Session memory from the command line: `agents sessions`, `agents search QUERY`, and turning a
 * stored session back into panes for `--continue` / `--resume ID`.
 */
import { buildMemoryIndex, formatHits, relativeTime } from '../store/search.js';
import { memoryRecords } from '../store/recorder.js';
import { ProjectStore, type AgentMeta, type SessionSummary } from '../store/store.js';
import { formatCost, formatTokens } from '../util/format.js';
import { defaultConfig } from '../config/schema.js';
import { findExecutable, PRESETS, resolveAgents, type PaneSpec, type PresetName } from '../workspace/presets.js';

/** Opens the store read-only (a running workspace may hold the lock); undefined with a message otherwise. */
async function openForReading(projectDir: string): Promise<{ store?: ProjectStore; message?: string }> {
  const { store, error } = await ProjectStore.open(projectDir, { readOnly: true });
  return { store, message: error?.message };
}

export async function listSessions(projectDir: string, out: NodeJS.WriteStream): Promise<number> {
  const { store, message } = await openForReading(projectDir);
  if (!store) {
    process.stderr.write(`agents: ${message ?? 'no session store'}\n`);
    return 1;
  }
  const sessions = store.sessions();
  await store.close();
  if (sessions.length === 0) {
    out.write(`No stored sessions for ${projectDir} yet.\n`);
    return 0;
  }
  const now = Date.now();
  const width = out.columns || 100;
  for (const s of sessions) {
    const agents = s.agents.map((a) => a.name).join(', ');
    const head = `${s.id}  ${relativeTime(s.started, now)}${s.ended ? '' : ' (open or not closed cleanly)'}`;
    const stats = `${s.agents.length} panes: ${agents} · ${s.messages} messages · ${formatTokens(s.tokens)} tokens · ${formatCost(s.cost)}`;
    out.write(`${head}\n  ${stats}\n${s.firstInstruction ? `  “${clip(s.firstInstruction.replace(/\s+/g, ' '), width - 6)}”\n` : ''}`);
  }
  out.write(`\nResume the latest with \`agents --continue\`, another with \`agents --resume ID\`.\n`);
  return 0;
}

export async function searchSessions(projectDir: string, query: string, out: NodeJS.WriteStream): Promise<number> {
  const { store, message } = await openForReading(projectDir);
  if (!store) {
    process.stderr.write(`agents: ${message ?? 'no session store'}\n`);
    return 1;
  }
  const index = await buildMemoryIndex(memoryRecords(store));
  await store.close();
  const hits = index.search(query, { limit: 10 });
  out.write(formatHits(hits, { color: Boolean(out.isTTY) && !process.env.NO_COLOR, width: out.columns || 100, now: Date.now(), query }) + '\n');
  return 0;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

/** What a pane was, for the store (the environment is sanitised by the store itself). */
export function metaOf(spec: PaneSpec): AgentMeta {
  return {
    name: spec.name,
    kind: spec.kind,
    preset: spec.preset,
    command: spec.command,
    args: spec.args,
    cwd: spec.cwd,
    model: spec.model,
    env: Object.keys(spec.env).length ? spec.env : undefined,
  };
}

/**
 * The panes of a stored session, started again: built-in agents as themselves (their conversation
 * comes back over IPC), external CLIs with their own "continue" flag where the preset knows one,
 * other commands as they were.
 */
export function specsFromSession(s: SessionSummary, projectDir: string, env: NodeJS.ProcessEnv): PaneSpec[] {
  return s.agents.map((a): PaneSpec => {
    const preset = a.preset as PresetName | undefined;
    if (preset && PRESETS[preset]) {
      const config = { ...defaultConfig(), agents: [{ name: a.name, preset, model: a.model }] };
      const spec = resolveAgents({ names: [a.name], cmds: [], config, projectDir: a.cwd || projectDir, env }).specs[0];
      const resume = PRESETS[preset].resumeArgs;
      if (spec && spec.kind === 'command' && resume) spec.args = [...spec.args, ...resume];
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
  });
}
