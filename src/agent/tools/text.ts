/** Text-file helpers shared by the file tools: loading with the binary and size checks, hashing. */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
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

export async function loadTextFile(abs: string, rel: string, verb: string): Promise<string> {
  let st;
  try {
    st = await stat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ToolError(`${rel} does not exist. Use list_files to find the right path.`, `${verb} ${rel}: not found`);
    }
    throw err;
  }
  if (st.isDirectory()) {
    throw new ToolError(`${rel} is a folder, not a file. Use list_files with a pattern such as ${rel}/* to see what is in it.`, `${verb} ${rel}: is a folder`);
  }
  if (st.size > MAX_TEXT_FILE_BYTES) {
    throw new ToolError(
      `${rel} is too large (${(st.size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MB). Use search, or run_command with sed -n or head.`,
      `${verb} ${rel}: too large`,
    );
  }
  const buf = await readFile(abs);
  if (looksBinary(buf)) {
    throw new ToolError(
      `${rel} is a binary file (it contains NUL bytes), so it cannot be shown or edited as text. Use run_command (e.g. file, xxd | head) to inspect it.`,
      `${verb} ${rel}: binary file refused`,
    );
  }
  return buf.toString('utf8');
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
