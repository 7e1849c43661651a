/**
 * `agents worktrees` and `agents worktrees prune`: this project's agent worktrees, from git and the
 * records kept beside them. Every name and path shown went through `printable` (a branch or a file
 * name can hold escape sequences).
 */
import { dirname, resolve } from 'node:path';
import { plural } from '../util/text.js';
import { findProjectConfig, loadConfig } from '../config/load.js';
import { defaultConfig, type Config } from '../config/schema.js';
import { printable } from '../util/safe-text.js';
import { WorktreeError } from '../worktree/errors.js';
import { WorktreeManager, type WorktreeInfo } from '../worktree/manager.js';

export interface WorktreesCommand {
  prune: boolean;
  /** --config FILE, else ./agents.config.json if there is one. */
  config?: string;
}

/** One worktree in two lines: branch and state, then where it is. */
export function describeWorktree(w: WorktreeInfo): string {
  const parts: string[] = [];
  if (w.problem) parts.push(w.problem);
  else if (w.merged) parts.push(`merged into ${w.base}`);
  else parts.push(`not merged (${plural(w.ahead, 'commit')} ahead of ${w.base})`);
  parts.push(w.dirty ? `dirty (${plural(w.changes.length, 'uncommitted file')})` : 'clean');
  if (w.offBranch) parts.push(`has ${w.offBranch} checked out`);
  if (!w.exists) parts.push('folder missing');
  if (w.locked) parts.push('locked');
  parts.push(w.agent ? `last agent: ${w.agent}` : 'last agent: unknown');
  return `${printable(w.branch)}  ${printable(parts.join(' · '))}\n    ${printable(w.path)}\n`;
}

function loadSettings(projectDir: string, configFile: string | undefined): { config?: Config; errors: string[]; configDir: string } {
  const file = configFile ?? findProjectConfig(projectDir);
  if (!file) return { config: defaultConfig(), errors: [], configDir: projectDir };
  const loaded = loadConfig(file);
  return { config: loaded.value, errors: loaded.errors, configDir: dirname(file) };
}

/** Runs the command; returns the exit status (2: bad config, 1: not a repository or git failed). */
export async function worktreesCommand(cmd: WorktreesCommand, projectDir: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { config, errors, configDir } = loadSettings(projectDir, cmd.config);
  if (!config) {
    err.write(`agents: ${errors.join('\n')}\n`);
    return 2;
  }
  let manager: WorktreeManager;
  try {
    // worktree.dir is relative to the config file's folder, as every path in the config is.
    const dir = config.worktree.dir === undefined ? undefined : resolve(configDir, config.worktree.dir);
    manager = await WorktreeManager.open(projectDir, { settings: { ...config.worktree, dir } });
  } catch (e) {
    if (e instanceof WorktreeError) {
      err.write(`agents: ${printable(e.message)}\n`);
      return 1;
    }
    throw e;
  }
  try {
    return cmd.prune ? await prune(manager, out) : await list(manager, out);
  } catch (e) {
    // A git failure: its own words, one paragraph, no stack.
    err.write(`agents: ${printable((e as Error).message, { newlines: true })}\n`);
    return 1;
  }
}

async function list(manager: WorktreeManager, out: NodeJS.WritableStream): Promise<number> {
  const all = await manager.list();
  if (all.length === 0) {
    out.write('No agent worktrees for this project. Agents with "isolation": "worktree" in agents.config.json get one.\n');
    return 0;
  }
  for (const w of all) out.write(describeWorktree(w));
  return 0;
}

async function prune(manager: WorktreeManager, out: NodeJS.WritableStream): Promise<number> {
  const report = await manager.prune();
  if (report.removed.length === 0 && report.kept.length === 0) {
    out.write('No agent worktrees for this project: nothing to prune.\n');
    return 0;
  }
  for (const w of report.removed) out.write(`removed ${printable(w.branch)} (merged into ${printable(w.base)}, clean)\n    ${printable(w.path)}\n`);
  for (const { info, reason } of report.kept) out.write(`kept ${printable(info.branch)}: ${printable(reason)}\n    ${printable(info.path)}\n`);
  out.write(`Removed ${plural(report.removed.length, 'worktree')}, kept ${report.kept.length}.\n`);
  return 0;
}
