/**
 * Keeps secrets out of every stored byte. Applied to each serialized line and to the index just
 * before they are written, so no field (an argument list, a tool result quoting `env`, a pasted
 * key in an instruction) can carry a key to disk whatever the caller put in it.
 *
 * Scrubbed: the values of the known key variables and of any variable whose name looks secret
 * (8 characters or more, so `KEYTIMEOUT=1` does not blank every "1"), and anything shaped like an
 * Anthropic or OpenAI key. Agent metadata also loses `env` entries whose name looks secret.
 */
export const SECRET_ENV_NAMES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_API_KEY', 'GEMINI_API_KEY'] as const;
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;
// OpenAI's project and service keys (sk-proj-, sk-svcacct-, sk-admin-) carry dashes after the prefix.
// Anthropic and OpenAI keys, and the workspace's own MCP tokens (src/mcp/server.ts).
const KEY_SHAPES = /sk-ant-[A-Za-z0-9_-]{10,}|sk-(?:proj|svcacct|admin|agents)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{20,}/g;
const MIN_SECRET_CHARS = 8;
export const REDACTED = '[redacted]';

export type Scrubber = (text: string) => string;

export function makeScrubber(env: NodeJS.ProcessEnv = process.env): Scrubber {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.length < MIN_SECRET_CHARS) continue;
    if (!(SECRET_ENV_NAMES as readonly string[]).includes(name) && !SECRET_NAME.test(name)) continue;
    values.add(value);
    // The text being scrubbed is JSON: a value with quotes, backslashes or control characters
    // appears there in its escaped form.
    values.add(JSON.stringify(value).slice(1, -1));
  }
  // Longest first, so a value that contains another is replaced whole.
  const list = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of list) if (out.includes(v)) out = out.split(v).join(REDACTED);
    // `sk-` is rare in ordinary text; testing first keeps the common case a single scan.
    if (out.includes('sk-')) out = out.replace(KEY_SHAPES, REDACTED);
    return out;
  };
}

/** A copy of `env` without the entries whose name looks secret. */
export function dropSecretEnv(env: Record<string, string> | undefined): Record<string, string> | undefined {
  if (env === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (!SECRET_NAME.test(k)) out[k] = v;
  return out;
}
