/**
 * Session memory for a launch: a new session, or the one `--continue` / `--resume ID` reopens.
 *
 * Nothing is written here: the returned MemoryService creates (or resumes) the session when the
 * workspace calls start() once it is running, so a launch that never gets that far leaves no trace.
 * Another workspace on this project holds the store: resuming is refused, a new workspace runs
 * without memory and says so.
 */
import type { Layout } from '../config/schema.js';
import type { MemoryService, Restore } from '../store/memory-service.js';
import type { PaneSpec } from '../workspace/presets.js';
import { plural } from '../util/text.js';
import type { Task } from '../tasks/task.js';

export type MemoryPlan =
  | { ok: true; memory?: MemoryService; specs: PaneSpec[]; layout: Layout; notice?: string; resumedId?: string; tasks?: Task[] }
  | { ok: false; message: string };

export async function planMemory(o: {
  projectDir: string;
  specs: PaneSpec[];
  layout: Layout;
  /** `--continue` (latest with something in it) or `--resume ID`. */
  resume?: { id?: string };
  /** --layout given on the command line wins over the stored one. */
  layoutFlag?: Layout;
}): Promise<MemoryPlan> {
  const { ProjectStore } = await import('../store/store.js');
  const { SessionRecorder, loadHistory, loadTasks, loadUsage } = await import('../store/recorder.js');
  const { MemoryService } = await import('../store/memory-service.js');
  const { assignConversations, metaOf, specsFromSession } = await import('./memory.js');
  const opened = await ProjectStore.open(o.projectDir);
  if (!opened.store) {
    const why = opened.error?.message ?? 'the session store cannot be opened';
    if (o.resume) return { ok: false, message: why };
    return { ok: true, specs: o.specs, layout: o.layout, notice: `session memory is off: ${why}` };
  }
  const store = opened.store;
  if (!o.resume) {
    const specs = o.specs;
    assignConversations(specs);
    const begin = () => new SessionRecorder(store.create({ layout: o.layout, agents: specs.map(metaOf) }));
    return { ok: true, memory: new MemoryService(store, begin, new Map()), specs, layout: o.layout, notice: opened.error?.message };
  }

  const all = store.sessions();
  const summary = o.resume.id !== undefined ? all.find((s) => s.id === o.resume?.id) : store.latestWithContent();
  if (!summary) {
    await store.close();
    if (o.resume.id !== undefined) return { ok: false, message: `no stored session ${o.resume.id} for this project. 'agents sessions --all' lists them.` };
    if (all.length === 0) return { ok: false, message: "no stored session for this project yet. Run 'agents' to start one." };
    return {
      ok: false,
      message:
        `no stored session with anything in it for this project (${plural(all.length, 'empty session')}: ` +
        "'agents sessions --all' lists them, 'agents --resume ID' reopens one).",
    };
  }
  const specs = specsFromSession(summary, o.projectDir, process.env);
  assignConversations(specs);
  const stored = summary.layout;
  const layout = o.layoutFlag ?? (stored === 'tiled' || stored === 'columns' || stored === 'rows' ? stored : o.layout);
  const session = store.openSession(summary.id)!;
  const usage = await loadUsage(session);
  const tasks = await loadTasks(session);
  const restore = new Map<string, Restore>();
  for (const a of summary.agents.filter((x) => x.kind === 'builtin')) {
    const u = usage.get(a.name);
    restore.set(a.name, {
      messages: await loadHistory(session, a.name),
      totals: u ? { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, cost: u.cost } : undefined,
    });
  }
  const begin = () => {
    const recorder = new SessionRecorder(session);
    for (const [name, u] of usage) recorder.seedUsage(name, u);
    recorder.event('resumed', { agents: specs.map((s) => s.name) });
    return recorder;
  };
  return { ok: true, memory: new MemoryService(store, begin, restore), specs, layout, notice: `resumed session ${summary.id}`, resumedId: summary.id, tasks };
}
