// Which command lines start the workspace server ahead of the client's checks: a guess that may be
// wrong only in the cheap direction (the client then starts it the usual way, or abandons it).
import { describe, expect, it } from 'vitest';
import { looksLikeStart } from '../../src/client/prelaunch.js';
import { subcommandNames } from '../../src/cli/args.js';

describe('looksLikeStart', () => {
  it('takes plain starts, agent names and flags with values for a workspace start', () => {
    for (const argv of [[], ['claude', 'shell'], ['--cmd', 'sleep 600'], ['--cmd', 'ls'], ['--config', 'x.json', 'lead'], ['--layout=rows', 'agent'], ['--continue'], ['--resume', 'abc'], ['--demo'], ['--', 'run']]) {
      expect(looksLikeStart(argv), argv.join(' ')).toBe(true);
    }
  });

  it('leaves subcommands, help, version and a reopened demo to the client', () => {
    for (const argv of [['ls'], ['attach'], ['stop', 'abc'], ['sessions', '--all'], ['search', 'x'], ['worktrees', 'prune'], ['tasks'], ['task', 'add', 'x'], ['run', 'review', 'goal'], ['help'], ['--help'], ['claude', '-h'], ['-V'], ['--version'], ['--config', 'a.json', 'ls'], ['--demo', '--continue'], ['--demo', '--resume=x']]) {
      expect(looksLikeStart(argv), argv.join(' ')).toBe(false);
    }
  });

  // prelaunch.ts keeps its own list (it runs before commander loads): it must know every subcommand.
  it('knows every subcommand the command line defines', () => {
    for (const name of subcommandNames()) expect(looksLikeStart([name]), name).toBe(false);
  });
});
