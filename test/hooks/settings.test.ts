// The per-run hook configuration given to each CLI: nothing secret in it, and the shapes the real
// CLIs took (docs/hooks.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_EVENTS, claudeSettings, codexHookArgs, reporterCommand, shQuote } from '../../src/hooks/settings.js';
import { PRESETS, type HookAccess } from '../../src/workspace/presets.js';

describe("Claude Code's settings for one run", () => {
  const s = claudeSettings({ hookUrl: 'http://127.0.0.1:4000/hook', statusFile: "/tmp/x y/it's.json" }) as {
    hooks: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>>;
    statusLine: { type: string; command: string };
  };

  it('every event POSTs to the workspace with the token taken from the environment, never written down', () => {
    expect(Object.keys(s.hooks).sort()).toEqual([...CLAUDE_EVENTS].sort());
    for (const [event, groups] of Object.entries(s.hooks)) {
      expect(groups).toHaveLength(1);
      const [h] = groups[0].hooks;
      expect(h).toMatchObject({ type: 'http', url: 'http://127.0.0.1:4000/hook?cli=claude', headers: { Authorization: 'Bearer $AGENTS_MCP_TOKEN' }, allowedEnvVars: ['AGENTS_MCP_TOKEN'] });
      expect(groups[0].matcher, event).toBe(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest'].includes(event) ? '*' : undefined);
    }
  });

  it('its status line saves the JSON to the private file whole, whatever the path holds', () => {
    const dir = mkdtempSync(join(tmpdir(), "agents-'status "));
    try {
      const file = join(dir, "it's here.json");
      const { statusLine } = claudeSettings({ hookUrl: 'http://127.0.0.1:1/hook', statusFile: file }) as typeof s;
      const out = execFileSync('/bin/sh', ['-c', statusLine.command], { input: '{"cost":{"total_cost_usd":1}}' });
      expect(out.toString()).toBe('');
      expect(readFileSync(file, 'utf8')).toBe('{"cost":{"total_cost_usd":1}}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the preset passes it with --settings before the MCP options (which take several values)', () => {
    const files: Record<string, string> = {};
    const h: HookAccess = { hookUrl: 'http://127.0.0.1:4000/hook', reporter: '/r.js', privateFile: (n, c) => ((files[n] = c), `/p/${n}`), statusFile: () => '/p/status.json' };
    const given = PRESETS.claude.hooks!(h)!;
    expect(given.args).toEqual(['--settings', '/p/claude-settings.json']);
    expect(JSON.parse(files['claude-settings.json'])).toMatchObject({ statusLine: { type: 'command' }, hooks: { Stop: [{}] } });
    expect(files['claude-settings.json']).not.toMatch(/sk-agents-/);
  });
});

describe("Codex's hooks for one run", () => {
  it('are -c overrides of command hooks running the reporter, the same on every run', () => {
    const cmd = reporterCommand('/opt/agents/dist/hooks/report.js', 'codex');
    expect(cmd).toBe(`${shQuote(process.execPath)} '/opt/agents/dist/hooks/report.js' codex`);
    const args = codexHookArgs(cmd);
    expect(args.filter((a) => a === '-c')).toHaveLength(4);
    expect(args).toContain(`hooks.Stop=[{hooks=[{type="command",command=${JSON.stringify(cmd)},timeout=10}]}]`);
    expect(args).toContain(`hooks.PreToolUse=[{matcher="^apply_patch$",hooks=[{type="command",command=${JSON.stringify(cmd)},timeout=10}]}]`);
    expect(codexHookArgs(cmd)).toEqual(args);
  });

  it('are not given without the reporter', () => {
    expect(PRESETS.codex.hooks!({ hookUrl: 'http://127.0.0.1:1/hook', reporter: undefined, privateFile: () => '', statusFile: () => '' })).toBeUndefined();
  });
});
