/**
 * Asking whether to trust a project's config, on the normal screen before the workspace takes the
 * terminal over (see src/config/trust.ts for what needs trust and how answers are kept).
 *
 * The question is about the whole file, so it lists everything in it that needs trust; it is asked
 * only when this launch would use some of it (an agent it opens, or attention.command). Declining
 * runs nothing and exits 0: the person asked for this project's workspace, and a workspace without
 * the panes the project defines would be a different one they did not ask for (Claude Code's
 * "trust this folder?" also exits on "no").
 */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { configDigest, trustItems, TrustStore, type TrustItem } from '../config/trust.js';
import type { Config } from '../config/schema.js';
import { printable } from '../util/safe-text.js';

export type TrustDecision = { run: true } | { run: false; code: number; message: string };

export interface TrustCheck {
  configFile: string;
  config: Config;
  configDir: string;
  projectDir: string;
  /** Whether this launch uses an item (the config agents it opens; workspace-wide items always). */
  uses: (item: TrustItem) => boolean;
  /** --trust: run without asking (and without remembering). */
  trustFlag: boolean;
  /** The terminal (process.stdin / process.stderr); isTTY says whether there is one to ask on. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
  store?: TrustStore;
}

export async function checkTrust(c: TrustCheck): Promise<TrustDecision> {
  const items = trustItems(c.config, c);
  // A folder name can hold escape sequences too.
  const file = printable(c.configFile);
  if (c.trustFlag || !items.some(c.uses)) return { run: true };
  const store = c.store ?? new TrustStore();
  const digest = configDigest(readFileSync(c.configFile));
  if (store.isTrusted(c.configFile, digest)) return { run: true };
  if (!c.input.isTTY) {
    return {
      run: false,
      code: 2,
      message:
        `${file} can run commands on this computer (${items.map((i) => i.text).join('; ')}) and has not been trusted here yet, ` +
        `and there is no terminal to ask on. Run agents in a terminal once to answer, or pass --trust to run it without asking ` +
        `(for scripts and CI, on projects you trust).`,
    };
  }
  c.output.write(
    [
      `${file} can run commands on this computer:`,
      ...items.map((i) => `  • ${i.text}`),
      'Start it only if you trust where this project came from. The answer is remembered until the file',
      'changes (--trust skips this question).',
      '',
    ].join('\n'),
  );
  const yes = await askYesNo(c.input, c.output, 'Trust this config and start? [y/N] ');
  if (!yes) {
    return {
      run: false,
      code: 0,
      message: `not started; nothing was run. Read ${file}, then start agents again to be asked again.`,
    };
  }
  store.trust(c.configFile, digest);
  return { run: true };
}

/** One line from a terminal in its normal (cooked) mode: Ctrl-C stops the program, Ctrl-D means no. */
function askYesNo(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: false });
    let answer: boolean | undefined;
    rl.once('line', (line) => {
      answer = /^\s*y(es)?\s*$/i.test(line);
      rl.close();
    });
    rl.once('close', () => {
      if (answer === undefined) output.write('\n');
      resolve(answer ?? false);
    });
    output.write(question);
  });
}
