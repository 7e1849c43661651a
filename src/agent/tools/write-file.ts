/** write_file, and the one write path both file-changing tools go through. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { log } from '../../util/log.js';
import { resolveInRoot } from './paths.js';
import { sha256, splitLines } from './text.js';
import { defineTool, ToolError, type ToolContext } from './types.js';
import { plural } from '../../util/text.js';

export const writeFileSchema = z.object({
  path: z.string().min(1).describe('File path, relative to the project root. Missing folders are created.'),
  content: z.string().describe('The complete new content of the file.'),
});

/**
 * Announces the write to the workspace, then writes in place (not temp+rename, which would replace
 * a symlink inside the project and break hard links). A failing hook is logged, not fatal: losing
 * the attribution of one change is better than stopping the agent's work.
 */
export async function landWrite(ctx: ToolContext, abs: string, rel: string, content: string): Promise<void> {
  if (ctx.beforeWrite) {
    try {
      ctx.beforeWrite(rel, sha256(content));
    } catch (err) {
      log(`tools: beforeWrite failed for ${rel}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  await writeFile(abs, content, 'utf8');
}

export const writeFileTool = defineTool({
  name: 'write_file',
  kind: 'edit',
  signature: '{path, content}',
  description:
    'Create a file or replace its whole content. Parent folders are created as needed. For changes to part of an existing file, prefer edit_file.',
  schema: writeFileSchema,
  async run(input, ctx) {
    const { abs, rel } = await resolveInRoot(ctx.root, input.path);
    let existed = false;
    try {
      const st = await stat(abs);
      if (st.isDirectory()) throw new ToolError(`${rel} is a folder; give a file path.`, `write ${rel}: is a folder`);
      existed = true;
    } catch (err) {
      if (err instanceof ToolError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new ToolError(`Cannot create ${rel}: a part of its folder path is a file.`, `write ${rel}: bad folder`);
      if (code !== 'ENOENT') throw err;
    }
    if (!existed) await mkdir(dirname(abs), { recursive: true });
    await landWrite(ctx, abs, rel, input.content);
    const lines = plural(splitLines(input.content).length, 'line');
    const verb = existed ? 'wrote' : 'created';
    return { content: `${existed ? 'Overwrote' : 'Created'} ${rel} (${lines}).`, isError: false, summary: `${verb} ${rel} (${lines})` };
  },
});
