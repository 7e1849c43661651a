// Checks a Messages request against the rules of the real API that clients get wrong most often
// (the tool_use / tool_result pairing after an interrupt above all), so a client tested against the
// local server fails here the way it would fail in production: a 400 invalid_request_error.
import type { MessagesBody } from './types.js';

type Block = Record<string, unknown>;

const blocksOf = (content: unknown): Block[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? (content as Block[]) : [];

function countBreakpoints(body: MessagesBody): number {
  let n = 0;
  const count = (b: unknown) => {
    if (b && typeof b === 'object' && (b as Block).cache_control) n++;
  };
  (body.tools ?? []).forEach(count);
  if (Array.isArray(body.system)) body.system.forEach(count);
  for (const m of body.messages) blocksOf(m.content).forEach(count);
  return n;
}

/** Returns the API's error message for an invalid request, or undefined when it is acceptable. */
export function validateMessagesRequest(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'Request body must be a JSON object';
  const body = raw as MessagesBody;
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 0)
    return 'max_tokens: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (body.messages.length === 0) return 'messages: at least one message is required';

  const msgs = body.messages;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system')
      return `messages.${i}.role: Input should be 'user', 'assistant' or 'system'`;
    const blocks = blocksOf(m.content);
    const isFinalAssistant = i === msgs.length - 1 && m.role === 'assistant';
    if (blocks.length === 0 && !isFinalAssistant)
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    for (let j = 0; j < blocks.length; j++) {
      const b = blocks[j];
      if (b.type === 'text' && (typeof b.text !== 'string' || b.text === ''))
        return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
      if (b.type === 'tool_use' && (!b.input || typeof b.input !== 'object' || Array.isArray(b.input)))
        return `messages.${i}.content.${j}.tool_use.input: Input should be a valid dictionary`;
    }
    if (isFinalAssistant) {
      const lastBlock = blocks[blocks.length - 1];
      if (lastBlock?.type === 'text' && /\s$/.test(String(lastBlock.text)))
        return 'messages: final assistant content cannot end with trailing whitespace';
    }

    // Every tool_use must be answered in the very next message...
    if (m.role === 'assistant') {
      const ids = blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id));
      if (ids.length) {
        const next = msgs[i + 1];
        const answered = new Set(
          next && next.role === 'user'
            ? blocksOf(next.content).filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id))
            : [],
        );
        const missing = ids.filter((id) => !answered.has(id));
        if (missing.length)
          return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
    // ...and every tool_result must answer a tool_use of the message right before it.
    if (m.role === 'user') {
      const prev = msgs[i - 1];
      const asked = new Set(
        prev && prev.role === 'assistant'
          ? blocksOf(prev.content).filter((b) => b.type === 'tool_use').map((b) => String(b.id))
          : [],
      );
      for (let j = 0; j < blocks.length; j++) {
        const b = blocks[j];
        if (b.type === 'tool_result' && !asked.has(String(b.tool_use_id)))
          return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  const breakpoints = countBreakpoints(body);
  if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  return undefined;
}
