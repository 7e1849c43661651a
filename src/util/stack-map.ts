/**
 * Stack traces of the bundled program, mapped back to the source through the bundle's source maps
 * (`dist/…/x.js.map`, written by scripts/bundle.js), for crash reports.
 *
 * Mapped only when a report is written, never at start: Node's own `--enable-source-maps` reads and
 * parses every map as its module loads (~15-20 ms of CPU for the workspace's chunks, measured), a
 * cost every start would pay for the rare crash.
 *
 * A frame whose file has no readable map (src/ under the tests, node's internals, a native module)
 * is left as it is; mapping never throws.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `file:///abs/path.js:LINE:COL` or `/abs/path.js:LINE:COL`, as V8 prints a frame's location. */
const LOCATION = /(file:\/\/\/[^\s()]+|\/[^\s():]+):(\d+):(\d+)/g;

function isPayload(x: unknown): x is SourceMapPayload {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.mappings === 'string' && Array.isArray(o.sources) && o.sources.every((s) => typeof s === 'string');
}

/** Maps each frame of `stack` to its source file, line and column where a map says. */
export function mapStack(stack: string): string {
  const maps = new Map<string, { map: SourceMap; dir: string } | undefined>();
  const load = (file: string) => {
    if (!maps.has(file)) {
      let found: { map: SourceMap; dir: string } | undefined;
      try {
        const payload: unknown = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
        if (isPayload(payload)) found = { map: new SourceMap(payload), dir: dirname(file) };
      } catch {
        // No map beside it, or not one we can read: the frame stays as V8 wrote it.
      }
      maps.set(file, found);
    }
    return maps.get(file);
  };
  return stack.replace(LOCATION, (whole, where: string, line: string, column: string) => {
    try {
      const file = where.startsWith('file://') ? fileURLToPath(where) : where;
      const m = load(file);
      if (!m) return whole;
      const entry = m.map.findEntry(Number(line) - 1, Number(column) - 1);
      if (!('originalSource' in entry)) return whole;
      const src = entry.originalSource;
      // esbuild names our sources relative to the map's folder; a package that shipped its own map
      // passes through its names (xterm's are `webpack://@xterm/xterm/src/…`).
      const source = src.startsWith('file://') ? fileURLToPath(src) : /^[a-z][a-z0-9+.-]*:\/\//i.test(src) ? src : resolve(m.dir, src);
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    } catch {
      return whole;
    }
  });
}
