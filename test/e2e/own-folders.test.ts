// A workspace whose own folders lie inside its project: `agents` run in the home folder, where the
// data (~/.local/share/agents) and the code cache (~/.cache/agents) live. Its watcher must not see
// them: every change it records is stored, so each store write was a change to record, forever (a
// detached server was found with 22,000 such entries and a quarter of a core after 40 minutes).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/term.js';
import { start, tempDir } from './setup.js';

/** The paths of every change stored under the data folder `dataHome`, from its feed files. */
function storedPaths(dataHome: string): string[] {
  const paths: string[] = [];
  const projects = join(dataHome, 'projects');
  for (const p of safeList(projects)) {
    for (const s of safeList(join(projects, p, 'sessions'))) {
      let text = '';
      try {
        text = readFileSync(join(projects, p, 'sessions', s, 'feed.jsonl'), 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        let e: { path?: unknown };
        try {
          e = JSON.parse(line) as { path?: unknown };
        } catch {
          continue; // empty, or the line the store is writing right now
        }
        if (typeof e.path === 'string') paths.push(e.path);
      }
    }
  }
  return paths;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('a project that holds the workspace\'s own folders', () => {
  it('run in the home folder: the data and cache folders inside it are not watched, so the store does not feed on itself', async () => {
    const project = tempDir('agents-homeproject-');
    const other = tempDir('agents-home-');
    const run = start(['--cmd', 'echo ready-$((6*7)); sleep 600'], {
      dirs: { project, home: other },
      env: { AGENTS_HOME: undefined, HOME: project, XDG_DATA_HOME: undefined, XDG_CACHE_HOME: undefined, AGENTS_RUNTIME_DIR: join(other, 'run') },
    });
    await run.t.waitFor('ready-42');
    const data = join(project, '.local', 'share', 'agents');
    // Written until seen: the watcher may still be starting when the pane first prints.
    let n = 0;
    await until(
      () => {
        writeFileSync(join(project, 'first.txt'), `change ${n++}\n`);
        return storedPaths(data).includes('first.txt');
      },
      { timeout: 15_000, every: 200, message: 'first.txt in the stored feed' },
    );
    // The store's write of that entry came before this file: once this one is stored, a watcher
    // that saw the store would have stored that write too.
    writeFileSync(join(project, 'second.txt'), 'later\n');
    await until(() => storedPaths(data).includes('second.txt'), { timeout: 15_000, message: 'second.txt in the stored feed' });
    const own = storedPaths(data).filter((p) => p.startsWith('.local/') || p.startsWith('.cache/'));
    expect(own).toEqual([]);
    run.t.keys('C-a', 'q');
    await run.t.exited;
  });
});
