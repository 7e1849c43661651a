/** write_file, and the one write path both file-changing tools go through. */
import * as z from 'zod';
import { log } from '../../util/log.js';
import { Project, type OpenedFile } from './confined.js';
import { resolveInRoot } from './paths.js';
import { rewrite, sha256, splitLines } from './text.js';
import { defineTool, ToolError, type ToolContext } from './types.js';
import { plural } from '../../util/text.js';

export const writeFileSchema = z.object({
  path: z.string().min(1).describe('File path, relative to the project root. Missing folders are created.'),
  content: z.string().describe('The complete new content of the file.'),
});

/**
 * Announces the write to the workspace, then writes in place into the file already open (not
 * temp+rename, which would replace a symlink inside the project). The file's real place (`file.rel`)
 * is announced: that is where the watcher sees the change. A failing hook is logged, not fatal: losing the
 * attribution of one change is better than stopping the agent's work.
 */
export async function landWrite(ctx: ToolContext, file: OpenedFile, content: string): Promise<void> {
  announce(ctx, file.rel, content);
  await rewrite(file, content);
}

function announce(ctx: ToolContext, rel: string, content: string): void {
  if (!ctx.beforeWrite) return;
  try {
    ctx.beforeWrite(rel, sha256(content));
  } catch (err) {
    log(`tools: beforeWrite failed for ${rel}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const writeFileTool = defineTool({
  name: 'write_file',
  kind: 'edit',
  signature: '{path, content}',
  description:
    'Create a file or replace its whole content. Parent folders are created as needed. For changes to part of an existing file, prefer edit_file.',
  schema: writeFileSchema,
  async run(input, ctx) {
    const { rel } = await resolveInRoot(ctx.root, input.path);
    const project = await Project.open(ctx.root);
    let existed: boolean;
    try {
      existed = await writeWhole(project, ctx, rel, input.content);
    } finally {
      await project.close();
    }
    const lines = plural(splitLines(input.content).length, 'line');
    const verb = existed ? 'wrote' : 'created';
    return { content: `${existed ? 'Overwrote' : 'Created'} ${rel} (${lines}).`, isError: false, summary: `${verb} ${rel} (${lines})` };
  },
});

/** Whether the file existed. A file created by someone else between our look and our create is looked up again. */
async function writeWhole(project: Project, ctx: ToolContext, rel: string, content: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await find(project, rel);
    if (found.kind === 'file') {
      await landWrite(ctx, found.file, content);
      return true;
    }
    if (found.kind !== 'missing') break;
    if (attempt === 0) announce(ctx, found.rel, content);
    const created = await project.create(found, rel);
    if (created !== 'exists') {
      await rewrite(created, content);
      return false;
    }
  }
  throw new ToolError(`${rel} kept changing while the tool worked; try again.`, `write ${rel}: changed while working`);
}

async function find(project: Project, rel: string) {
  try {
    return await project.find(rel, 'write', rel, true);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ToolError(`${rel} is a folder; give a file path.`, `write ${rel}: is a folder`);
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new ToolError(`Cannot create ${rel}: a part of its folder path is a file.`, `write ${rel}: bad folder`);
    throw err;
  }
}
