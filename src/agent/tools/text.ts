/** Text-file helpers shared by the file tools: loading with the binary and size checks, hashing. */
import { createHash } from 'node:crypto';
import type { OpenedFile, Project } from './confined.js';
import { ToolError } from './types.js';

/** Larger files are refused whole; search and run_command (sed -n, head) still reach them. */
export const MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024;

/** git's own heuristic: a NUL byte in the first 8000 bytes makes a file binary. */
export function looksBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}

export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * Opens a text file of the project for read_file or edit_file (mode `edit` keeps it open for
 * writing back): missing files, folders, other kinds of file, large and binary files are refused
 * with a message that says what to do instead.
 */
export async function openTextFile(project: Project, rel: string, mode: 'read' | 'edit', verb: string): Promise<{ file: OpenedFile; text: string }> {
  let found;
  try {
    found = await project.find(rel, mode, rel);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ToolError(`${rel} does not exist. Use list_files to find the right path.`, `${verb} ${rel}: not found`);
    }
    if (code === 'EISDIR') throw folderError(rel, verb);
    throw err;
  }
  if (found.kind !== 'file') throw folderError(rel, verb);
  const { file } = found;
  if (file.stat.size > MAX_TEXT_FILE_BYTES) {
    throw new ToolError(
      `${rel} is too large (${(file.stat.size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MB). Use search, or run_command with sed -n or head.`,
      `${verb} ${rel}: too large`,
    );
  }
  const buf = await readCapped(file, MAX_TEXT_FILE_BYTES);
  if (looksBinary(buf)) {
    throw new ToolError(
      `${rel} is a binary file (it contains NUL bytes), so it cannot be shown or edited as text. Use run_command (e.g. file, xxd | head) to inspect it.`,
      `${verb} ${rel}: binary file refused`,
    );
  }
  return { file, text: buf.toString('utf8') };
}

function folderError(rel: string, verb: string): ToolError {
  return new ToolError(
    `${rel} is a folder, not a file. Use list_files with a pattern such as ${rel}/* to see what is in it.`,
    `${verb} ${rel}: is a folder`,
  );
}

/** The file from its start, at most `max` bytes (a file growing while it is read stops there). */
export async function readCapped(file: OpenedFile, max: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.min(file.stat.size, max));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await file.handle.read(buf, got, buf.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Replaces the whole content of an open file, from its first byte. */
export async function rewrite(file: OpenedFile, content: string): Promise<void> {
  const buf = Buffer.from(content, 'utf8');
  await file.handle.truncate(0);
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await file.handle.write(buf, done, buf.length - done, done);
    done += bytesWritten;
  }
}

/** Splits into lines without the line breaks; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** `  12\ttext` lines, numbered from `first`, each clipped to `maxLineChars`. */
export function numberLines(lines: string[], first: number, maxLineChars = 2000): string[] {
  const width = String(first + lines.length - 1).length;
  return lines.map((line, i) => {
    const shown = line.length > maxLineChars ? `${line.slice(0, maxLineChars)}… [line cut, ${line.length} characters]` : line;
    return `${String(first + i).padStart(width)}\t${shown}`;
  });
}
