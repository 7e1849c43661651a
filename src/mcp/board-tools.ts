/**
 * The task board's tools for external CLIs over MCP (described once, in src/tasks/tool-specs.ts):
 * each call is a board request from the calling agent, answered in words written for the model.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { boardToolSpecs } from '../tasks/tool-specs.js';
import type { Caller, McpHost } from './tools.js';

export function registerBoardTools(server: McpServer, host: McpHost, caller: Caller): void {
  for (const t of boardToolSpecs()) {
    server.registerTool(
      t.name,
      { title: t.title, description: t.description, inputSchema: t.schema, annotations: { readOnlyHint: t.name === 'list_tasks', openWorldHint: false } },
      async (input: Record<string, unknown>): Promise<CallToolResult> => {
        const r = await host.board(caller.name, t.request(input));
        return { content: [{ type: 'text', text: r.text }], ...(r.ok ? {} : { isError: true }) };
      },
    );
  }
}
