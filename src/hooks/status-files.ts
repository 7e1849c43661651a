/**
 * Reads back the status-line JSON Claude Code panes save to their private files (settings.ts): one
 * watch on the private folder, and each pane's file read when it is replaced. Claude Code runs its
 * status-line command after each message (measured: once at start and once after a one-answer turn,
 * about 0.5 s after its Stop hook), so reading on change is exact and costs nothing in between.
 *
 * Invariants: one folder watch for all panes; a file whose JSON is not a status line is skipped (the
 * next write replaces it); after `close()` nothing is reported.
 */
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { UsageReport } from '../ipc/protocol.js';
import { log } from '../util/log.js';
import { nextUsage, type ClaudeUsage } from './status-line.js';

export class StatusFiles {
  private watchers = new Map<string, FSWatcher>();
  /** File name (in its folder) -> the pane name it reports for. */
  private names = new Map<string, { file: string; agent: string }>();
  private last = new Map<string, string>();
  /** Usage so far per pane name (a pane restarted, or closed and opened again, carries on). */
  private usage = new Map<string, ClaudeUsage>();
  private closed = false;

  constructor(private report: (agent: string, usage: UsageReport) => void) {}

  /** Starts following `file` (created empty by the caller, in a private folder) for `agent`. */
  follow(file: string, agent: string): void {
    if (this.closed) return;
    const dir = dirname(file);
    this.names.set(basename(file), { file, agent });
    if (this.watchers.has(dir)) return;
    try {
      const w = watch(dir, (_event, name) => name && this.changed(name.toString()));
      w.on('error', (err) => log(`status files: watching ${dir} failed: ${err.message}`));
      this.watchers.set(dir, w);
    } catch (err) {
      log(`status files: cannot watch ${dir}: ${(err as Error).message}`);
    }
  }

  /** Reads one pane's file now (also what a change in its folder does). */
  changed(name: string): void {
    const entry = this.names.get(name);
    if (!entry || this.closed) return;
    let text: string;
    try {
      text = readFileSync(entry.file, 'utf8');
    } catch {
      return; // Between the rename of the old one and the new one: the next event reads it.
    }
    if (text === '' || this.last.get(name) === text) return;
    this.last.set(name, text);
    const usage = nextUsage(this.usage.get(entry.agent), text);
    if (!usage) return;
    this.usage.set(entry.agent, usage);
    this.report(entry.agent, usage.report);
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
