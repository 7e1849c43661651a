// Loading JSON config files into zod-validated values. Every problem becomes one line naming the file
// and the key path; nothing falls back to defaults behind the user's back. Each line is `printable`:
// it quotes the file (its name, its values, JSON.parse's excerpt of it), and a config can hold an
// OSC 52 clipboard write or a title change that must not reach the terminal printing the error.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import { printable } from '../util/safe-text.js';
import { CONFIG_FILE_NAME, configSchemas, type Config } from './schema.js';
import { editDistance } from '../util/text.js';

export type Loaded<T> = { value?: T; errors: string[] };

/** Keys accepted by the object at `path`, for "did you mean" hints on unknown keys. */
export type AllowedKeys = (path: readonly PropertyKey[]) => readonly string[] | undefined;

export function loadConfig(file: string): Loaded<Config> {
  const json = readJsonFile(file);
  if (json.errors.length > 0) return { errors: json.errors };
  // jitless: parsed once, so zod's compiled fast path (generated and compiled on a schema's first
  // parse) would cost more than it saves; the issues are the same either way.
  const parsed = configSchemas().ConfigSchema.safeParse(json.value, { reportInput: true, jitless: true });
  if (!parsed.success) return { errors: formatIssues(file, parsed.error.issues, configAllowedKeys) };
  return { value: parsed.data, errors: [] };
}

/** The project's config file in `dir` (not its parents), if there is one. */
export function findProjectConfig(dir: string): string | undefined {
  const file = join(dir, CONFIG_FILE_NAME);
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function configAllowedKeys(path: readonly PropertyKey[]): readonly string[] | undefined {
  if (path.length === 0) return Object.keys(configSchemas().ConfigSchema.shape);
  if (path.length === 2 && path[0] === 'agents') return Object.keys(configSchemas().AgentEntrySchema.shape);
  if (path.length === 1 && path[0] === 'watch') return ['ignore'];
  if (path.length === 1 && path[0] === 'worktree') return Object.keys(configSchemas().WorktreeConfigSchema.shape);
  return undefined;
}

export function readJsonFile(file: string): Loaded<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { errors: [printable(`${file}: file not found`)] };
    if (code === 'EISDIR') return { errors: [printable(`${file}: is a folder, expected a JSON file`)] };
    return { errors: [printable(`${file}: cannot read the file (${code ?? (err as Error).message})`)] };
  }
  return parseJsonText(text, file);
}

export function parseJsonText(text: string, file: string): Loaded<unknown> {
  // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { value: JSON.parse(body), errors: [] };
  } catch (err) {
    // Node 20's JSON.parse messages often omit the position, so find it ourselves.
    const found = locateJsonError(body);
    if (!found) return { errors: [printable(`${file}: invalid JSON: ${(err as Error).message}`)] };
    const { line, column } = lineAndColumn(body, found.offset);
    // Offsets count from after the BOM, and so do editors' columns.
    return { errors: [printable(`${file}:${line}:${column}: invalid JSON: ${found.reason}`)] };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

type JsonError = { offset: number; reason: string };

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Offset and reason of the first syntax error in `text`, following RFC 8259 as JSON.parse does. */
export function locateJsonError(text: string): JsonError | undefined {
  let pos = 0;
  function fail(reason: string): never {
    throw new JsonSyntaxError(pos, reason);
  }
  const found = (): string => {
    if (pos >= text.length) return 'end of file';
    const c = text[pos];
    if (c === '\n' || c === '\r') return 'end of line';
    return `'${c}'`;
  };
  const ws = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const string = (): void => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const code = text.charCodeAt(pos);
      if (code === 0x22) break;
      if (code < 0x20) fail('line break or control character inside a string');
      if (code === 0x5c) {
        pos++;
        const e = text[pos];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) fail('expected 4 hex digits after \\u');
          pos += 4;
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          fail(`invalid escape \\${e ?? ''} in string`);
        }
      }
      pos++;
    }
    pos++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 400));
    if (!m) fail(`expected a value, found ${found()}`);
    pos += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[pos];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return;
      }
    }
    if (c === "'") fail("expected a value, found ' (JSON strings use double quotes)");
    fail(`expected a value, found ${found()}`);
  };
  const object = (): void => {
    pos++;
    ws();
    if (text[pos] === '}') return void pos++;
    for (;;) {
      ws();
      if (text[pos] !== '"') {
        if (text[pos] === '}') fail('trailing comma before }');
        fail(`expected a key in double quotes, found ${found()}`);
      }
      string();
      ws();
      if (text[pos] !== ':') fail(`expected ':' after the key, found ${found()}`);
      pos++;
      value();
      ws();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') return void pos++;
      fail(`expected ',' or '}', found ${found()}`);
    }
  };
  const array = (): void => {
    pos++;
    ws();
    if (text[pos] === ']') return void pos++;
    for (;;) {
      ws();
      if (text[pos] === ']') fail('trailing comma before ]');
      value();
      ws();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') return void pos++;
      fail(`expected ',' or ']', found ${found()}`);
    }
  };
  try {
    value();
    ws();
    if (pos < text.length) fail(`expected end of file after the JSON value, found ${found()}`);
    return undefined;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { offset: err.offset, reason: err.reason };
    // A RangeError from absurdly deep nesting: the caller falls back to JSON.parse's own message.
    return undefined;
  }
}

/** One line per problem: `<file>: <key path>: <expected>, found <actual>`. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[], allowed?: AllowedKeys): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = allowed?.(issue.path);
      for (const key of issue.keys) {
        lines.push(`${file}: ${formatPath([...issue.path, key])}: ${unknownKeyMessage(key, known)}`);
      }
      continue;
    }
    // One line per key: a second complaint about the same value is noise once the first is fixed.
    const path = formatPath(issue.path);
    if (seen.has(path)) continue;
    seen.add(path);
    lines.push(`${file}: ${path}: ${describeIssue(issue)}`);
  }
  return lines.map((line) => printable(line));
}

function unknownKeyMessage(key: string, known: readonly string[] | undefined): string {
  if (!known) return 'unknown key';
  const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  if (close) return `unknown key (did you mean "${close}"?)`;
  return `unknown key; expected one of ${known.join(', ')}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}, found ${describeValue(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; found ${describeValue(input)}`;
    default:
      // Our schemas phrase their own messages as "expected ..."; add what was found unless they did.
      if (/\bfound\b/.test(issue.message) || input === undefined) return issue.message;
      return `${issue.message}, found ${describeValue(input)}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** `agents[1].preset`, `keys["pane.zoom"]`; the top level is `(top level)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
