/**
 * Trusting a project's config before it runs anything, as direnv and editors' workspace trust do.
 *
 * A config file can make `agents` run programs (an agent's `command`, `attention.command`) or widen
 * what runs without asking (`"permissions": "auto"`, extra environment such as NODE_OPTIONS or
 * BASH_ENV for a preset, a working folder outside the project). Everything else in it (theme,
 * layout, keys, presets with their defaults, watch rules, model names, instructions) changes no
 * power and needs no trust.
 *
 * Invariants:
 * - An answer is remembered per config file (its real path) and content (sha256 of its bytes): a
 *   changed file, or the same file in another folder, is asked about again.
 * - Only "yes" is remembered; a declined config is asked about again next time.
 * - The trust file (trust.json in the data folder) is 0600; an unreadable one is moved aside and
 *   counts as empty, so the fault can only make agents ask again, never skip the question.
 * - Every string from the config is shown through printable(): control characters and bidi
 *   overrides escaped, never sent to the terminal raw.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, renameSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import * as z from 'zod';
import { lazy } from '../util/lazy.js';
import { dataDir } from '../util/paths.js';
import { printable } from '../util/safe-text.js';
import { writePrivateFile } from '../util/private-file.js';
import { log } from '../util/log.js';
import type { Config } from './schema.js';

export interface TrustItem {
  /** The config agent it belongs to; undefined for what applies to the whole workspace. */
  agent?: string;
  /** What it would do, safe to print. */
  text: string;
}

/** A program argument as a person reads it: bare when plain, else in double quotes. */
function arg(s: string): string {
  if (/^[\w@%+=:,./~-]+$/.test(s)) return s;
  return `"${printable(s.replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}

function envText(env: Record<string, string> | undefined): string {
  return Object.entries(env ?? {})
    .map(([k, v]) => `${arg(k)}=${arg(v)}`)
    .join(' ');
}

function isInside(folder: string, root: string): boolean {
  const rel = relative(root, folder);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** What in `config` needs trust, in file order. */
export function trustItems(config: Config, where: { configDir: string; projectDir: string }): TrustItem[] {
  const items: TrustItem[] = [];
  const project = real(where.projectDir);
  for (const a of config.agents ?? []) {
    const name = `agent "${printable(a.name)}"`;
    const folder = a.cwd === undefined ? undefined : real(resolve(where.configDir, a.cwd));
    const outside = folder !== undefined && !isInside(folder, project);
    const env = envText(a.env);
    if (a.command !== undefined) {
      const extras = [a.cwd !== undefined ? `in ${arg(folder ?? a.cwd)}${outside ? ' (outside the project folder)' : ''}` : '', env ? `with ${env}` : ''];
      const line = [arg(a.command), ...(a.args ?? []).map(arg)].join(' ');
      items.push({ agent: a.name, text: `${name} runs: ${line}${extras.filter(Boolean).map((e) => `  [${e}]`).join('')}` });
      continue;
    }
    const what = a.preset === 'agent' ? 'built-in agent' : a.preset;
    if (env) items.push({ agent: a.name, text: `${name} (${what}) runs with extra environment: ${env}` });
    if (outside) items.push({ agent: a.name, text: `${name} (${what}) works in ${arg(folder ?? '')}, outside the project folder` });
    if (a.preset === 'agent' && a.permissions === 'auto')
      items.push({ agent: a.name, text: `${name} (built-in agent) has "permissions": "auto": it runs commands and edits files without asking` });
  }
  // Run in every new worktree's pane before its agent starts: commands like any agent's.
  for (const command of config.worktree.setup) items.push({ text: `worktree.setup runs in each new worktree before its agent: ${printable(command)}` });
  if (config.worktree.dir !== undefined) {
    const dir = real(resolve(where.configDir, config.worktree.dir));
    if (!isInside(dir, project)) items.push({ text: `worktree.dir makes agents' worktrees in ${arg(dir)}, outside the project folder` });
  }
  // A workflow's checks run in the project when its steps are completed.
  for (const [name, w] of Object.entries(config.workflows)) {
    for (const step of w.steps) if (step.check) items.push({ text: `workflow ${name}: the ${step.role} step's check runs: ${printable(step.check)}` });
  }
  if (config.attention.command !== undefined) {
    items.push({ text: `attention.command runs in /bin/sh when an agent waits for you: ${printable(config.attention.command)}` });
  }
  return items;
}

/** sha256 of the config file's bytes, as hex. */
export function configDigest(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Built at the first read of the trust file. */
const trustFileSchema = lazy(() =>
  z.object({
    version: z.literal(1),
    trusted: z.array(z.object({ path: z.string(), sha256: z.string(), at: z.number() })),
  }),
);
type TrustFile = z.infer<ReturnType<typeof trustFileSchema>>;

/** Oldest answers are forgotten past this many (each branch of each project keeps a few). */
const MAX_ANSWERS = 500;

export class TrustStore {
  readonly file: string;

  constructor(home: string = dataDir()) {
    this.file = join(home, 'trust.json');
  }

  isTrusted(configFile: string, sha256: string): boolean {
    const path = real(configFile);
    return this.read().trusted.some((t) => t.path === path && t.sha256 === sha256);
  }

  trust(configFile: string, sha256: string, now = Date.now()): void {
    const path = real(configFile);
    const data = this.read();
    const trusted = [...data.trusted.filter((t) => !(t.path === path && t.sha256 === sha256)), { path, sha256, at: now }].slice(-MAX_ANSWERS);
    writePrivateFile(this.file, JSON.stringify({ version: 1, trusted } satisfies TrustFile, null, 1) + '\n');
  }

  private read(): TrustFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return { version: 1, trusted: [] };
    }
    let parsed: ReturnType<ReturnType<typeof trustFileSchema>['safeParse']>;
    try {
      parsed = trustFileSchema().safeParse(JSON.parse(text));
    } catch {
      parsed = trustFileSchema().safeParse(undefined);
    }
    if (parsed.success) return parsed.data;
    const aside = `${this.file}.corrupt-${Date.now()}`;
    try {
      renameSync(this.file, aside);
      log(`trust: ${this.file} could not be read; moved to ${aside}. Configs will be asked about again.`);
    } catch (err) {
      log(`trust: ${this.file} could not be read or moved aside: ${(err as Error).message}`);
    }
    return { version: 1, trusted: [] };
  }
}
