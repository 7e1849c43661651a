/**
 * The shape every tool shares, and the one place where untrusted model input becomes typed input.
 *
 * Invariant: a tool's `run` never throws. Bad input, refused paths and failing file systems all come
 * back as `{ isError: true }` results whose text tells the model what to change, so the agent loop
 * can hand them back as a tool_result and carry on.
 */
import * as z from 'zod';

export interface ToolContext {
  root: string;
  signal: AbortSignal;
  /** called before a write lands, so the workspace can attribute the change */
  beforeWrite?: (relPath: string, contentHash: string) => void;
}

export interface ToolResult {
  /** for the model */
  content: string;
  isError: boolean;
  /** one short line for the UI, e.g. "read src/a.ts (120 lines)" or "edited src/a.ts (+3 -1)" */
  summary: string;
}

export type ToolKind = 'read' | 'edit' | 'exec';

export interface ToolDef {
  name: string;
  description: string;
  /** Permissions key off this: auto-edit runs read and edit tools and asks before exec. */
  kind: ToolKind;
  inputSchema: z.ZodType;
  jsonSchema: Record<string, unknown>;
  run(input: unknown, ctx: ToolContext): Promise<ToolResult>;
}

/** A failure whose message is already written for the model; anything else is unexpected. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly summary: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export function errorResult(content: string, summary: string): ToolResult {
  return { content, isError: true, summary };
}

export function defineTool<S extends z.ZodType>(spec: {
  name: string;
  description: string;
  kind: ToolKind;
  schema: S;
  /** `{path, offset?, limit?}`: repeated in input errors so the model sees the whole shape at once. */
  signature: string;
  run(input: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}): ToolDef {
  return {
    name: spec.name,
    description: spec.description,
    kind: spec.kind,
    inputSchema: spec.schema,
    jsonSchema: jsonSchemaFor(spec.schema),
    async run(input, ctx) {
      const parsed = spec.schema.safeParse(input);
      if (!parsed.success) {
        return errorResult(
          `Invalid input for ${spec.name}:\n${formatIssues(parsed.error.issues)}\n${spec.name} takes ${spec.signature}.`,
          `${spec.name}: invalid input`,
        );
      }
      try {
        return await spec.run(parsed.data, ctx);
      } catch (err) {
        if (err instanceof ToolError) return errorResult(err.message, err.summary);
        const text = describeFsError(err);
        return errorResult(`${spec.name} failed: ${text}`, `${spec.name} failed`);
      }
    },
  };
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.length === 0 ? '(input)' : issue.path.map(String).join('.');
      return `- ${where}: ${issue.message}`;
    })
    .join('\n');
}

/**
 * The JSON Schema sent as `input_schema`. `$schema` and zod's safe-integer bounds are dropped: they
 * are noise in every request's cached prefix and tell the model nothing.
 */
function jsonSchemaFor(schema: z.ZodType): Record<string, unknown> {
  const raw = z.toJSONSchema(schema) as Record<string, unknown>;
  delete raw.$schema;
  return stripSafeIntBounds(raw) as Record<string, unknown>;
}

function stripSafeIntBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSafeIntBounds);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'maximum' && v === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'minimum' && v === Number.MIN_SAFE_INTEGER) continue;
    out[key] = stripSafeIntBounds(v);
  }
  return out;
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in ERRNO_WORDS) return `${ERRNO_WORDS[code]} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

// Its home is src/util/text.ts; re-exported so the tools' imports keep working.
export { plural } from '../../util/text.js';
