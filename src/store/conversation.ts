/**
 * A built-in agent's conversation as it crosses the agent channel and sits in session memory: the
 * Anthropic Messages API's MessageParam shapes the agent keeps in its history (text, tool_use,
 * tool_result with text or block content), each block typed by its `type`.
 *
 * Objects are loose: a field the SDK or the API adds to a block (a text block's `citations`, a
 * tool_use's `caller`) is kept as it came, so a conversation given back is the one that was stored.
 * A block type the agent never writes (thinking, server tools, images) is refused: the agent requests
 * none of them, and one appearing means the agent changed and this schema must learn it.
 *
 * The parsed type is assignable to the SDK's MessageParam, so a restored conversation goes into the
 * agent's history without a cast; the other way (the SDK's interfaces into this type) is a
 * validation (IpcClient.sendHistory).
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';

/** The schemas, built on first use (an agent channel's first line, a conversation read back). */
function build() {
  const TextBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

  const ToolUseBlockSchema = z.looseObject({
    type: z.literal('tool_use'),
    id: z.string(),
    name: z.string(),
    input: z.unknown(),
  });

  const ToolResultBlockSchema = z.looseObject({
    type: z.literal('tool_result'),
    tool_use_id: z.string(),
    content: z.union([z.string(), z.array(TextBlockSchema)]).optional(),
    is_error: z.boolean().optional(),
    /**
     * The one line the agent's pane showed for this result ("edited src/a.ts (+3 -1)"), kept in
     * session memory so a resumed pane draws it again; never sent to the API (agent/ui/replay.ts).
     */
    summary: z.string().optional(),
  });

  const ContentBlockSchema = z.discriminatedUnion('type', [TextBlockSchema, ToolUseBlockSchema, ToolResultBlockSchema]);

  const ConversationMessageSchema = z.looseObject({
    role: z.enum(['user', 'assistant']),
    content: z.union([z.string(), z.array(ContentBlockSchema)]),
  });

  const ConversationSchema = z.array(ConversationMessageSchema);
  return { TextBlockSchema, ToolUseBlockSchema, ToolResultBlockSchema, ContentBlockSchema, ConversationMessageSchema, ConversationSchema };
}
type Schemas = ReturnType<typeof build>;
export const conversationSchemas = lazy(build);

export type ContentBlock = z.infer<Schemas['ContentBlockSchema']>;
export type ConversationMessage = z.infer<Schemas['ConversationMessageSchema']>;
