/**
 * The tools one agent has: the file and command tools plus the workspace's extra tools (notes,
 * memory), their definitions for the API (byte-stable, cache breakpoint on the last), and running
 * a call with the "changed under you" warning for edits of files another party touched.
 *
 * The first tool belt of a process stops what commands of dead agents left running (an agent
 * killed with SIGKILL cannot clean up after itself; processes.ts marks what each command started).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { AgentEvent } from './agent-types.js';
import type { Awareness } from './awareness.js';
import { log } from '../util/log.js';
import { runTool, toolDefinitionsForApi, TOOLS, type ToolDef, type ToolKind, type ToolResult } from './tools/index.js';
import { sweepOrphans } from './tools/processes.js';

let swept = false;

export class ToolBelt {
  private cache: Anthropic.ToolUnion[] | undefined;

  constructor(
    private root: string,
    private extra: ToolDef[],
    private awareness: Awareness | undefined,
  ) {
    if (swept) return;
    swept = true;
    const orphans = sweepOrphans();
    if (orphans.length > 0) log(`agent: stopped ${orphans.length} processes left by commands of an agent that is gone: ${orphans.map((p) => `${p.pid} (${p.comm})`).join(', ')}`);
  }

  kindOf(name: string): ToolKind {
    return [...TOOLS, ...this.extra].find((t) => t.name === name)?.kind ?? 'exec';
  }

  forRequest(): Anthropic.ToolUnion[] {
    if (!this.cache) {
      const defs = [...toolDefinitionsForApi(), ...this.extra.map((t) => ({ name: t.name, description: t.description, input_schema: t.jsonSchema }))] as Anthropic.Tool[];
      this.cache = defs.map((d, i) => (i === defs.length - 1 ? { ...d, cache_control: { type: 'ephemeral' } } : d));
    }
    return this.cache;
  }

  async run(call: Anthropic.ToolUseBlock, signal: AbortSignal, emit: (e: AgentEvent) => void): Promise<ToolResult> {
    const ctx = { root: this.root, signal, beforeWrite: (path: string, hash: string) => emit({ type: 'wrote', path, hash }) };
    const extra = this.extra.find((t) => t.name === call.name);
    if (extra) return extra.run(call.input, ctx);
    const path = typeof (call.input as { path?: unknown })?.path === 'string' ? (call.input as { path: string }).path : undefined;
    const aware = this.awareness;
    const edits = call.name === 'edit_file' || call.name === 'write_file';
    const warning = path && aware && edits ? aware.warningFor(path) : undefined;
    const result = await runTool(call.name, call.input, ctx);
    if (path && aware && !result.isError && (edits || call.name === 'read_file')) {
      aware.sawFile(path);
      if (call.name === 'read_file') emit({ type: 'read', path: aware.key(path) });
    }
    return warning ? { ...result, content: `${warning}\n\n${result.content}`, summary: `${result.summary} ⚠ changed by another party` } : result;
  }
}
