/**
 * `agents run WORKFLOW "goal" --headless`: the workflow's chain without a screen, for CI. Its agents
 * run in their ptys as ever; this prints a line per task move, then a final report (JSON with
 * --json), and exits 0 when every task is done, 1 when one is blocked, failed or cancelled.
 *
 * Nobody is at the keyboard: an agent that starts waiting for the person (an approval, a question)
 * is given `attendedMs` to be answered some other way (ask_human times out by itself), then its task
 * is blocked. Every process is stopped before it exits, whatever happens.
 */
import { log } from '../util/log.js';
import { printable } from '../util/safe-text.js';
import { isFinished, type Task } from '../tasks/task.js';
import { taskLine } from '../tasks/text.js';
import type { Composed } from './compose.js';

export interface HeadlessOptions {
  json: boolean;
  out: NodeJS.WritableStream;
  /** How long an agent may wait for a person who is not there before its task is blocked. */
  attendedMs: number;
  /** The tasks of this run (the workflow's), by id. */
  tasks: string[];
}

export interface HeadlessReport {
  ok: boolean;
  tasks: Array<Pick<Task, 'id' | 'title' | 'state' | 'owner' | 'attempts' | 'cost' | 'result' | 'note'> & { check?: { ok: boolean; code: number | null } }>;
  cost: number;
  ms: number;
}

export function runHeadless(composed: Composed, o: HeadlessOptions): Promise<number> {
  const { ws } = composed;
  const t0 = Date.now();
  const line = (s: string) => {
    if (!o.json) o.out.write(`${printable(s)}\n`);
  };
  line(`agents: running ${o.tasks.length} tasks headless: ${o.tasks.join(', ')}`);
  // No frame will be drawn.
  composed.shown();
  return new Promise((resolve) => {
    let ending = false;
    const waiting = new Map<string, NodeJS.Timeout>();
    const ours = () => ws.desk.board.list().filter((t) => o.tasks.includes(t.id));
    const finish = async (why?: string) => {
      if (ending) return;
      ending = true;
      for (const t of waiting.values()) clearTimeout(t);
      const tasks = ours();
      const ok = tasks.every((t) => t.state === 'done');
      const report: HeadlessReport = {
        ok,
        tasks: tasks.map((t) => ({ id: t.id, title: t.title, state: t.state, owner: t.owner, attempts: t.attempts, cost: t.cost, result: t.result, note: t.note, ...(t.lastCheck ? { check: { ok: t.lastCheck.ok, code: t.lastCheck.code } } : {}) })),
        cost: tasks.reduce((n, t) => n + t.cost, 0),
        ms: Date.now() - t0,
      };
      if (why) line(`agents: ${why}`);
      if (o.json) o.out.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        line(`agents: ${ok ? 'every task is done' : 'not every task is done'} (${(report.ms / 1000).toFixed(1)} s):`);
        for (const t of tasks) line(`  ${taskLine(t)}`);
      }
      try {
        await composed.close(1500);
      } finally {
        resolve(ok ? 0 : 1);
      }
    };
    // Over when nothing can move any more: every task finished or blocked, or waiting on one that is.
    const check = () => {
      const tasks = ours();
      const stopped = (t: Task, seen = new Set<string>()): boolean => {
        if (isFinished(t) || t.state === 'blocked') return true;
        if (t.state !== 'todo' || seen.has(t.id)) return false;
        seen.add(t.id);
        return t.deps.some((d) => {
          const dep = ws.desk.board.get(d);
          return dep !== undefined && dep.state !== 'done' && stopped(dep, seen);
        });
      };
      if (tasks.length && tasks.every((t) => stopped(t))) void finish();
    };
    ws.on('task', (c) => {
      if (!o.tasks.includes(c.task.id) || c.from === undefined) return;
      line(`agents: ${c.task.id} ${c.from} -> ${c.task.state}${c.task.owner ? ` (${c.task.owner})` : ''}${c.task.note && c.task.state !== 'done' ? `: ${c.task.note}` : ''}`);
      check();
    });
    // An agent waiting for a person who is not there: its task is blocked once it has waited too long.
    ws.on('change', () => {
      for (const p of ws.panes) {
        const waits = p.activity?.state === 'waiting';
        if (waits && !waiting.has(p.name)) {
          line(`agents: ${p.name} waits for a person (${p.activity?.reason}); nobody is here to answer`);
          waiting.set(
            p.name,
            setTimeout(() => {
              const t = ws.desk.board.current(p.name);
              log(`headless: ${p.name} waited ${o.attendedMs} ms for a person`);
              if (t) void ws.board('you', { op: 'update_task', id: t.id, state: 'failed', reason: `${p.name} waited for a person's answer in a headless run` });
            }, o.attendedMs),
          );
        } else if (!waits && waiting.has(p.name)) {
          clearTimeout(waiting.get(p.name));
          waiting.delete(p.name);
        }
      }
    });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void finish(`received ${sig}; stopping`));
    check();
  });
}
