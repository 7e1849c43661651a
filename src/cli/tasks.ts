/**
 * `agents tasks` and `agents task add`: the task board from any shell. The running workspace of the
 * project answers over its socket; without one, `tasks` prints the board as the latest session left
 * it, and `task add` says how to start one (a board lives in a running workspace).
 */
import { query } from '../client/attach.js';
import { ensureRuntimeDir, socketPath, workspaceId } from '../server/paths.js';
import { requestSchemas, type ServerRequest } from '../server/requests.js';
import { boardText } from '../tasks/text.js';
import { printable } from '../util/safe-text.js';

async function ask(projectDir: string, version: string, request: ServerRequest) {
  const path = socketPath(ensureRuntimeDir(), workspaceId(projectDir));
  return query(path, version, 'request', 30_000, { request, replies: requestSchemas().ReplySchema });
}

export async function tasksCommand(projectDir: string, version: string, out: NodeJS.WritableStream): Promise<number> {
  const live = await ask(projectDir, version, { op: 'tasks' });
  if (live?.refused) {
    process.stderr.write(`agents: ${printable(live.refused)}\n`);
    return 2;
  }
  if (live?.reply) {
    out.write(`${printable(live.reply.text, { newlines: true })}\n`);
    return 0;
  }
  // No workspace runs: the board as the latest session with one left it.
  const { ProjectStore } = await import('../store/store.js');
  const { loadTasks } = await import('../store/recorder.js');
  const opened = await ProjectStore.open(projectDir, { readOnly: true });
  if (!opened.store) {
    process.stderr.write(`agents: ${printable(opened.error?.message ?? 'the session store cannot be opened')}\n`);
    return 1;
  }
  try {
    for (const summary of opened.store.sessions()) {
      const session = opened.store.openSession(summary.id);
      const tasks = session ? await loadTasks(session) : [];
      if (tasks.length === 0) continue;
      out.write(`No workspace is running here; the board of session ${summary.id} as it was left:\n${printable(boardText(tasks), { newlines: true })}\n`);
      return 0;
    }
    out.write('No workspace is running here and no session has a task board. In a workspace, ctrl+a t opens the board.\n');
    return 0;
  } finally {
    await opened.store.close();
  }
}

export async function taskAddCommand(projectDir: string, version: string, task: { title: string; to?: string; after?: string[]; check?: string }, out: NodeJS.WritableStream): Promise<number> {
  const live = await ask(projectDir, version, { op: 'board', request: { op: 'create_task', title: task.title, to: task.to, after: task.after, check: task.check } });
  if (live?.refused) {
    process.stderr.write(`agents: ${printable(live.refused)}\n`);
    return 2;
  }
  if (!live?.reply) {
    process.stderr.write("agents: no workspace is running in this project, and the task board lives in one: start it with 'agents', then add the task (or press ctrl+a t, then a).\n");
    return 2;
  }
  (live.reply.ok ? out : process.stderr).write(`${live.reply.ok ? '' : 'agents: '}${printable(live.reply.text)}\n`);
  return live.reply.ok ? 0 : 1;
}
