#!/usr/bin/env node
// `npm run link` puts `agents` on the PATH from this checkout, for this user only: a symlink
// ~/.local/bin/agents -> <checkout>/bin/agents. `npm run unlink` removes it.
//
// Why not `npm link`: with Node installed system-wide (/usr or /usr/local) it needs root, and as
// root it rebuilds the checkout into root-owned files; a user-level symlink needs neither, and an
// edit plus `npm run build` in the checkout is live at once. ~/.local/bin is the XDG folder for a
// user's programs, on the PATH by default on Debian, Ubuntu and Fedora (from the login after it
// first exists). `--dir DIR` links into another folder (e.g. /usr/local/bin as root).
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = fileURLToPath(new URL('..', import.meta.url));
const target = join(checkout, 'bin', 'agents');

function usage(message) {
  process.stderr.write(`link: ${message}\nUsage: node scripts/link.js [--dir DIR] [--remove]\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let dir = join(homedir(), '.local', 'bin');
let remove = false;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--remove') remove = true;
  else if (argv[i] === '--dir' && argv[i + 1]) dir = resolve(argv[++i]);
  else usage(`unknown argument '${argv[i]}'`);
}
const link = join(dir, 'agents');

/** What `link` is now: nothing, our link, another symlink (and where it points), or something else. */
function existing() {
  let st;
  try {
    st = lstatSync(link);
  } catch {
    return { kind: 'none' };
  }
  if (!st.isSymbolicLink()) return { kind: 'other' };
  const to = readlinkSync(link);
  const abs = isAbsolute(to) ? to : resolve(dir, to);
  return { kind: abs === target ? 'ours' : 'symlink', to: abs };
}

const now = existing();
if (remove) {
  if (now.kind === 'none') {
    process.stdout.write(`Nothing to remove: ${link} does not exist.\n`);
  } else if (now.kind === 'ours') {
    rmSync(link);
    process.stdout.write(`Removed ${link}. \`agents\` is no longer on your PATH from this checkout.\n`);
  } else {
    process.stderr.write(`link: ${link} is not a link to this checkout (${now.to ?? 'a file'}); left as it is.\n`);
    process.exit(1);
  }
  process.exit(0);
}

if (!existsSync(join(checkout, 'dist', 'cli', 'main.cjs'))) {
  process.stderr.write("link: the checkout is not built yet. Run 'npm install' first (it builds), then 'npm run link'.\n");
  process.exit(1);
}
if (now.kind === 'other') {
  process.stderr.write(`link: ${link} exists and is not a symlink; not replacing it. Remove it yourself, or link elsewhere with --dir DIR.\n`);
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
if (now.kind === 'symlink') rmSync(link);
if (now.kind !== 'ours') symlinkSync(target, link);
const lines = [`${link} -> ${target}${now.kind === 'symlink' ? ` (it pointed to ${now.to})` : ''}`];

// Is it reachable as plain `agents`? Only if its folder is on PATH and nothing earlier shadows it.
const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
const real = (p) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};
const onPath = pathDirs.some((d) => real(d) === real(dir));
const first = pathDirs.map((d) => join(d, 'agents')).find((f) => existsSync(f));
if (!onPath) {
  const profile = join(homedir(), '.profile');
  const profileAddsIt = dir === join(homedir(), '.local', 'bin') && existsSync(profile) && readFileSync(profile, 'utf8').includes('.local/bin');
  const exportLine = `export PATH="${dir}:$PATH"`;
  if (profileAddsIt) {
    lines.push(`${dir} is not on this shell's PATH yet; your ~/.profile adds it from your next login.`, `For this terminal now: ${exportLine}`);
  } else {
    lines.push(
      `${dir} is not on your PATH. Add it for your next logins, and for this terminal now:`,
      `  echo '${exportLine}' >> ~/.profile`,
      `  ${exportLine}`,
    );
  }
} else if (first && real(first) !== real(target)) {
  lines.push(`Another agents comes first on your PATH: ${first}. Remove it, or put ${dir} before its folder.`);
} else {
  lines.push('`agents` now works in any folder (try `agents --version`). `npm run unlink` removes it.');
}
process.stdout.write(lines.join('\n') + '\n');
