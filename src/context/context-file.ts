/**
 * The shared context as a file, for agents that cannot use MCP: any of them can be told "read
 * $AGENTS_CONTEXT_FILE" and sees what changed in the project and what was said, newest last.
 *
 * Rewritten (temp file + rename, so a reader never sees half of it; private to the user) a moment
 * after each change, never more often than that, and once at start.
 *
 * Everything in it that came from outside (file names, notes, the project's path) is one line with
 * control characters shown escaped, so a file name cannot forge a line and `cat` cannot be made to
 * run terminal commands; keys are scrubbed from the whole text as the session store scrubs its own.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { log } from '../util/log.js';
import { printable, scrubSecrets } from '../util/safe-text.js';
import { authorName } from './feed-types.js';
import { describeEntry, type ContextService } from './service.js';

const WRITE_DELAY_MS = 300;
const MAX_CHANGES = 200;
const MAX_NOTES = 50;

const stamp = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');

export function renderContextFile(context: ContextService, project: string): string {
  const entries = context.feed.entries().slice(-MAX_CHANGES);
  const notes = context.feed.notes().slice(-MAX_NOTES);
  const out = [
    `# Shared context of the agents workspace in ${printable(project)}`,
    '',
    'Written by `agents` for every agent working on this project. Read it before editing files others',
    'may be changing. Newest last. Times are UTC.',
    '',
    `## Notes (${notes.length === 0 ? 'none yet' : `last ${notes.length}`})`,
    '',
    ...notes.map((n) => `- ${stamp(n.time)} ${authorName(n.author)}: ${printable(n.text.replace(/\s*\n\s*/g, ' '))}`),
    '',
    `## Changes to files (${entries.length === 0 ? 'none yet' : `last ${entries.length}`}; who: an agent's name, or outside = the person or another program, outside (NAME?) = probably the program in pane NAME)`,
    '',
    ...entries.map((e) => {
      const d = describeEntry(e);
      return `- ${stamp(d.time)} ${d.who} ${d.kind} ${d.path}${d.size ? ` (${d.size})` : ''}${d.branch ? ` on ${d.branch}` : ''}${d.claim ? ` ⚠ ${d.claim}` : ''}`;
    }),
    '',
  ];
  return scrubSecrets(out.join('\n'));
}

export class ContextFile {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: () => void;

  constructor(
    readonly path: string,
    private context: ContextService,
    private project: string,
  ) {
    this.unsubscribe = context.subscribe(() => this.schedule());
    this.write();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, WRITE_DELAY_MS);
  }

  write(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, renderContextFile(this.context, this.project), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (err) {
      log(`context file ${this.path}: ${(err as Error).message}`);
    }
  }

  /** Writes the last state and stops following changes. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe();
    this.write();
  }
}
