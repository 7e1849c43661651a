/**
 * Running git: always `execFile` (never a shell), arguments as an array, output read as
 * NUL-separated porcelain wherever git offers it.
 *
 * Invariants:
 * - Every call carries `-c core.quotepath=off` (paths come back as UTF-8, not octal-escaped) and an
 *   environment with the variables that would redirect git elsewhere removed (GIT_DIR,
 *   GIT_WORK_TREE, GIT_INDEX_FILE, ... are set when we run inside a git hook, and would make every
 *   command act on the wrong repository or index).
 * - git never waits for a person: no terminal prompt, no editor, no pager, stdin closed.
 * - A failure is a `GitError` carrying git's own stderr; callers that expect a non-zero exit
 *   (`diff --quiet`, `merge-base --is-ancestor`) list it in `okCodes` and read `code`.
 * - Output past `maxBytes` is cut, not an error, only when the caller says `truncate`; otherwise
 *   it is a GitError (a caller that did not plan for a huge answer must not act on half of one).
 */
import { execFile } from '../terminal/native-exec.js';

export type GitErrorKind = 'failed' | 'missing' | 'timeout' | 'too-large';

export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly kind: GitErrorKind,
    message: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

export interface GitOptions {
  /** Exit codes that are answers, not failures (e.g. 1 for `diff --quiet`). Default [0]. */
  okCodes?: readonly number[];
  /** Written to git's stdin, which is then closed. */
  input?: string;
  /** Extra environment (e.g. GIT_INDEX_FILE for a private index). */
  env?: Record<string, string>;
  /** Largest stdout accepted. Default 64 MB. */
  maxBytes?: number;
  /** Past maxBytes: stop git and return what came (`truncated: true`) instead of failing. */
  truncate?: boolean;
  /** Default 120 s: `worktree add` of a big tree can take a while, but nothing should hang forever. */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
  truncated: boolean;
}

/** Variables that point git at another repository, index or object store than `cwd`'s. */
const REDIRECTING = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
];

function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of REDIRECTING) delete env[key];
  // GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n go with GIT_CONFIG_COUNT.
  for (const key of Object.keys(env)) if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(key)) delete env[key];
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_SEQUENCE_EDITOR: 'true',
    GIT_PAGER: 'cat',
    // Messages we show to people stay in their language; nothing here parses git's prose.
    ...extra,
  };
}

const DEFAULT_MAX = 64 * 1024 * 1024;

/** Runs `git -c core.quotepath=off <args>` in `cwd`. */
export function git(cwd: string, args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  const full = ['-c', 'core.quotepath=off', ...args];
  const okCodes = opts.okCodes ?? [0];
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX;
  return new Promise((resolve, reject) => {
    // Without a fork of the workspace where the addon can (native-exec.ts says why).
    execFile('git', full, { cwd, env: gitEnv(opts.env), maxBuffer: maxBytes, timeout: opts.timeoutMs ?? 120_000, input: opts.input }, (e, stdout, stderr) => {
      if (!e) return resolve({ stdout, stderr, code: 0, truncated: false });
      const what = `git ${args.slice(0, 2).join(' ')}`;
      if (e.code === 'ENOENT') return reject(new GitError('missing', 'git is not installed (or not on PATH)', args, '', null));
      if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        if (opts.truncate) return resolve({ stdout, stderr, code: 0, truncated: true });
        return reject(new GitError('too-large', `${what} printed more than ${maxBytes} bytes`, args, stderr, null));
      }
      if (e.killed && e.signal) return reject(new GitError('timeout', `${what} did not finish in time (${e.signal})`, args, stderr, null));
      const code = typeof e.code === 'number' ? e.code : null;
      if (code !== null && okCodes.includes(code)) return resolve({ stdout, stderr, code, truncated: false });
      const detail = stderr.trim() || stdout.trim() || `exit ${String(e.code ?? e.signal)}`;
      reject(new GitError('failed', `${what} failed: ${detail}`, args, stderr, code));
    });
  });
}

/** Splits NUL-separated output (`-z`), dropping the empty field after the last NUL. */
export function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The first line of stdout, trimmed (a sha, a branch name, a path). */
export function firstLine(result: GitResult): string {
  return result.stdout.split('\n', 1)[0].trim();
}
