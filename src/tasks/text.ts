/**
 * The task board's words: the instruction an owner receives, what a creator hears back, and the
 * board as `list_tasks` and `agents tasks` print it. Every instruction about a task starts with
 * `Task <id>: ` (a contract: people and agents tell by it which task a message is about).
 */
import { formatCost, formatTokens } from '../util/format.js';
import type { Task } from './task.js';

export function taskLabel(t: Task): string {
  return `Task ${t.id}: ${t.title}`;
}

/** What the owner is told when the task goes to it (again, after a failed check or a review). */
export function instructionText(t: Task, deps: Task[], o: { tools: boolean; changedByDeps?: string[] }): string {
  const lines = [taskLabel(t)];
  if (t.details.trim()) lines.push('', t.details.trim());
  if (t.attempts > 0 && t.note) {
    lines.push('', `This is attempt ${t.attempts + 1} of ${t.maxAttempts}: ${t.note}.`);
    if (t.lastCheck && !t.lastCheck.ok && t.lastCheck.output.trim()) lines.push('The end of the check\'s output:', '```', t.lastCheck.output.trim(), '```');
  }
  for (const d of deps) if (d.result) lines.push('', `${d.id} (${d.title}) is done: ${d.result}`);
  if (o.changedByDeps?.length) lines.push('', `Files changed by the work you are to review: ${o.changedByDeps.join(', ')}`);
  if (t.claims.length) lines.push('', `These paths are yours while you work on it; nobody else may write them: ${t.claims.join(', ')}`);
  if (t.check) lines.push('', `When you complete it, \`${t.check}\` runs in the project; it must exit 0 for the task to be done.`);
  lines.push(
    '',
    o.tools
      ? `When it is done, call complete_task with id "${t.id}" and a short summary of what you did. If you cannot do it, call update_task with id "${t.id}", state "failed" and the reason.`
      : `When it is done, say so; the person marks ${t.id} done on the task board.`,
  );
  return lines.join('\n');
}

/** What the task's creator hears when it is done or blocked. */
export function outcomeText(t: Task): string {
  if (t.state === 'done') return `${taskLabel(t)} is done${t.owner ? ` (by ${t.owner})` : ''}${t.lastCheck ? `, and its check passed` : ''}: ${t.result ?? 'no summary'}`;
  if (t.state === 'blocked') return `${taskLabel(t)} is blocked: ${t.note ?? 'no reason given'}. Tasks waiting for it wait too; the person can retry it on the board.`;
  if (t.state === 'failed') return `${taskLabel(t)} failed: ${t.note ?? 'no reason given'}.`;
  return `${taskLabel(t)} is ${t.state}.`;
}

function costOf(t: Task): string {
  if (t.cost === 0 && t.tokens === 0) return t.priced ? '' : 'cost unknown';
  return `${formatCost(t.cost)}${t.priced ? '' : '+?'} · ${formatTokens(t.tokens)} tok`;
}

/** One task on one line: id, state, owner, dependencies, attempts, cost, last check. */
export function taskLine(t: Task): string {
  const parts = [`${t.id} [${t.state}] ${t.title}`];
  parts.push(t.owner ? `→ ${t.owner}` : '(no owner)');
  if (t.deps.length) parts.push(`after ${t.deps.join(', ')}`);
  if (t.attempts) parts.push(`attempt ${t.attempts}/${t.maxAttempts}`);
  const cost = costOf(t);
  if (cost) parts.push(cost);
  if (t.lastCheck) parts.push(`check ${t.lastCheck.ok ? 'passed' : `failed (${t.lastCheck.code ?? 'stopped'})`}`);
  if (t.note && (t.state === 'blocked' || t.state === 'failed' || t.state === 'todo')) parts.push(`— ${t.note}`);
  if (t.undelivered && t.state === 'todo') parts.push(`— not delivered yet: ${t.undelivered}`);
  return parts.join(' · ');
}

export function boardText(tasks: Task[]): string {
  if (tasks.length === 0) return 'The task board is empty.';
  return tasks.map(taskLine).join('\n');
}

/** A task in full, as lines, for its dialog on the board: everything known, the check's output last. */
export function taskDetails(t: Task): string[] {
  const lines = [`${t.id} · ${t.state}${t.owner ? ` · ${t.owner}` : ' · no owner'} · attempt ${t.attempts} of ${t.maxAttempts}`, t.title];
  if (t.details.trim()) lines.push('', ...t.details.trim().split('\n'));
  lines.push('');
  if (t.deps.length) lines.push(`after: ${t.deps.join(', ')}`);
  if (t.claims.length) lines.push(`claims: ${t.claims.join(', ')}`);
  if (t.check) lines.push(`check: ${t.check}${t.checkApproved ? '' : '  (waits for your approval: y on the board)'}`);
  const cost = costOf(t);
  lines.push(`spent: ${cost || 'nothing yet'}${t.budget ? ` of a budget of ${[t.budget.usd !== undefined ? `$${t.budget.usd}` : '', t.budget.tokens !== undefined ? `${t.budget.tokens} tokens` : ''].filter(Boolean).join(', ')}` : ''}`);
  lines.push(`created by ${t.createdBy} at ${new Date(t.createdAt).toLocaleTimeString()}; last change ${new Date(t.updatedAt).toLocaleTimeString()}`);
  if (t.note) lines.push(`note: ${t.note}`);
  if (t.result) lines.push('', 'result:', ...t.result.split('\n'));
  if (t.lastCheck) {
    lines.push('', `last check: ${t.lastCheck.ok ? 'passed' : `failed (${t.lastCheck.code ?? 'stopped'})`} in ${(t.lastCheck.ms / 1000).toFixed(1)} s, at ${new Date(t.lastCheck.at).toLocaleTimeString()}`);
    lines.push(...(t.lastCheck.output.trim() ? t.lastCheck.output.trimEnd().split('\n') : ['(no output)']));
  }
  return lines;
}
