// inotify watches held by this process, for the watcher benches' children (which load nothing else,
// so their own memory figures stay theirs): one `inotify wd:` line per watch in its fdinfo.
import { readdirSync, readFileSync } from 'node:fs';

export function inotifyWatches() {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      n += (readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length;
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return n;
}
