/**
 * The agent's tool set: definitions for the API, dispatch, and one-line descriptions for the UI.
 *
 * The order of TOOLS is part of the prompt-cache prefix: tool definitions come first in every
 * request, so they are built once, in a fixed order, and handed out as fresh copies (a caller adding
 * cache_control to its copy must not change the next request's bytes).
 */
import { editFileTool } from './edit-file.js';
import { listFilesTool } from './list-files.js';
import { readFileTool } from './read-file.js';
import { runCommandTool } from './run-command.js';
import { searchTool } from './search.js';
import { errorResult, type ToolContext, type ToolDef, type ToolResult } from './types.js';
import { writeFileTool } from './write-file.js';

export type { ToolContext, ToolDef, ToolKind, ToolResult } from './types.js';
export { readFileSchema } from './read-file.js';
export { writeFileSchema } from './write-file.js';
export { editFileSchema } from './edit-file.js';
export { listFilesSchema } from './list-files.js';
export { searchSchema } from './search.js';
export { runCommandSchema, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, KILL_GRACE_MS } from './run-command.js';

export const TOOLS: ToolDef[] = [readFileTool, writeFileTool, editFileTool, listFilesTool, searchTool, runCommandTool];

const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

const API_DEFINITIONS = JSON.stringify(
  TOOLS.map((t) => ({ name: t.name, description: t.description, input_schema: t.jsonSchema })),
);

export function toolDefinitionsForApi(): Array<{ name: string; description: string; input_schema: Record<string, unknown> }> {
  return JSON.parse(API_DEFINITIONS) as Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
}

export function findTool(name: string): ToolDef | undefined {
  return BY_NAME.get(name);
}

export async function runTool(name: string, input: unknown, ctx: ToolContext): Promise<ToolResult> {
  const tool = BY_NAME.get(name);
  if (tool === undefined) {
    return errorResult(
      `Unknown tool "${name}". Available tools: ${TOOLS.map((t) => t.name).join(', ')}.`,
      `unknown tool ${clip(name, 40)}`,
    );
  }
  try {
    return await tool.run(input, ctx);
  } catch (err) {
    // Tools catch their own failures; this is the last guard for the "never throws" promise.
    return errorResult(`${name} failed: ${err instanceof Error ? err.message : String(err)}`, `${name} failed`);
  }
}

/** `edit_file src/a.ts`, `run_command npm test`: what a call is about, on one short line. */
export function describeCall(name: string, input: unknown): string {
  const field = (key: string): string | undefined => {
    if (input === null || typeof input !== 'object') return undefined;
    const value = (input as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  };
  let target: string | undefined;
  switch (name) {
    case 'read_file':
    case 'write_file':
    case 'edit_file':
      target = field('path');
      break;
    case 'list_files':
      target = field('pattern');
      break;
    case 'search': {
      const pattern = field('pattern');
      const path = field('path');
      target = pattern === undefined ? undefined : path === undefined ? `/${pattern}/` : `/${pattern}/ in ${path}`;
      break;
    }
    case 'run_command':
      target = field('command');
      break;
  }
  const line = target === undefined ? name : `${name} ${target.replace(/\s+/g, ' ').trim()}`;
  return clip(line, 80);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
