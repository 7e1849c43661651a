/**
 * Runs a composed workspace as a server: no terminal of its own, terminals attach over its socket.
 * It lives until the workspace quits (prefix+q, the last pane closing, `agents stop`, SIGTERM),
 * whatever happens to the terminals; on the way out every attached terminal gets a goodbye.
 *
 * Lifetime: the server is started in a session of its own (no controlling terminal, so a closed
 * terminal sends it nothing); its panes' processes die with it however it dies (the reaper).
 */
import { writeFileSync } from 'node:fs';
import type { Keymap } from '../config/keymap.js';
import type { Theme } from '../config/theme.js';
import { Frontend } from '../frontend/frontend.js';
import { log, routeConsoleToLog, writeCrashReport } from '../util/log.js';
import { startMark } from '../util/start-trace.js';
import type { Composed } from '../cli/compose.js';
import type { WorkspaceServer } from './server.js';
import { boardText } from '../tasks/text.js';
import { planWorkflow, type Workflow } from '../tasks/workflow.js';
import type { Role } from '../tasks/roles.js';
import type { Workspace } from '../workspace/workspace.js';

/** A workflow started from a shell: roles without an agent get a built-in one (the board's spawn_agent rules apply). */
async function startWorkflow(ws: Workspace, o: ServeOptions, name: string, goal: string): Promise<{ ok: boolean; text: string }> {
  const w = o.workflows[name];
  if (!w) return { ok: false, text: `unknown workflow "${name}"; the workflows are ${Object.keys(o.workflows).join(', ')}` };
  const steps = planWorkflow(w, goal);
  const owners: Record<string, string> = {};
  for (const role of [...new Set(steps.map((s) => s.role))]) {
    if (!o.roles[role]) return { ok: false, text: `workflow ${name}: unknown role "${role}"` };
    const existing = ws.panes.find((p) => p.spec.role === role);
    if (existing) owners[role] = existing.name;
    else {
      const opened = await ws.board('you', { op: 'spawn_agent', preset: o.roles[role].preset ?? 'agent', name: role, role });
      if (!opened.ok) return opened;
      owners[role] = role;
    }
  }
  const ids = await new Promise<string[]>((reply) => ws.dispatch({ t: 'workflow', name, steps, owners, reply }));
  return { ok: true, text: `workflow ${name}: ${ids.join(' → ')}` };
}

export interface ServeOptions {
  theme: Theme;
  keymap: Keymap;
  mouse?: boolean;
  bell?: boolean;
  notice?: string;
  /** Listening already (claimed before the workspace was built). */
  server: WorkspaceServer;
  id: string;
  project: string;
  /** Said to every terminal when the workspace ends (e.g. where the demo project is kept). */
  farewell?: string;
  /** The server is listening: the terminal that started it may attach. */
  onReady(): void;
  /** The config's workflows and roles, for `agents run` against the running workspace. */
  workflows: Record<string, Workflow>;
  roles: Record<string, Role>;
}

export async function runServer(composed: Composed, o: ServeOptions): Promise<void> {
  const { ws } = composed;
  routeConsoleToLog();

  const frontend = new Frontend({ workspace: ws, theme: o.theme, keymap: o.keymap, bell: o.bell });
  startMark('frontend');
  let stopping: Promise<void> | undefined;
  let ended = () => {};
  const over = new Promise<void>((resolve) => (ended = resolve));
  const { server } = o;
  server.serve({
    mouse: o.mouse !== false,
    frontend,
    info: () => {
      const v = ws.getView();
      return {
        cost: v.totals.cost,
        priced: v.totals.priced,
        simulated: v.totals.simulated,
        panes: ws.panes.map((p) => ({ name: p.name, status: p.activity ? p.activity.state : p.status.kind })),
      };
    },
    stop: () => void finish('stopped'),
    shown: () => composed.shown(),
    request: async (r) => {
      if (r.op === 'tasks') return { ok: true, text: boardText(ws.desk.board.list()), tasks: ws.desk.board.list() };
      if (r.op === 'workflow') return startWorkflow(ws, o, r.name, r.goal);
      // From a shell: the person's own request, as on the board.
      return ws.board('you', r.request);
    },
  });
  if (o.notice) ws.dispatch({ t: 'say', text: o.notice });
  log(`server: workspace ${o.id} for ${o.project} is up`);

  const finish = (reason: 'quit' | 'stopped'): Promise<void> => {
    stopping ??= (async () => {
      const said = reason === 'quit' ? 'The workspace has ended; its session is saved (agents --continue resumes it).' : 'The workspace was stopped; its session is saved (agents --continue resumes it).';
      server.byeAll({ reason, message: [said, o.farewell].filter(Boolean).join('\n') });
      const statsFile = process.env.AGENTS_BENCH_STATS;
      if (statsFile) writeFileSync(statsFile, JSON.stringify({ ...frontend.renderer.stats, cpu: process.cpuUsage(), rss: process.memoryUsage().rss }));
      try {
        await composed.close(1500);
      } finally {
        frontend.stop();
        await server.close();
        ended();
      }
    })();
    return stopping;
  };

  const crash = (err: unknown) => {
    ws.killAllNow();
    const file = writeCrashReport(err);
    server.byeAll({ reason: 'crashed', message: `agents: the workspace server failed: ${err instanceof Error ? err.message : String(err)}${file ? `\nDetails: ${file}` : ''}\nagents --continue resumes the session.` });
    // The goodbyes are written before the process goes.
    setTimeout(() => process.exit(70), 100);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void finish('stopped'));
  // No terminal belongs to the server: a hang-up is not for it.
  process.on('SIGHUP', () => log('server: SIGHUP ignored (the server has no terminal)'));

  ws.on('quit', () => void finish('quit'));
  o.onReady();
  startMark('ready');
  await over;
}
