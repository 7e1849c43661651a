// The hook reader: what Claude Code's and Codex's hook events (shapes as the real CLIs sent them,
// see docs/hooks.md) say about a pane, and which files a tool call would write.
import { describe, expect, it } from 'vitest';
import { denyAnswer, hookState, HookInputError, parseHookEvent, patchPaths, writtenPaths } from '../../src/hooks/hook-event.js';

const base = { session_id: 's1', transcript_path: '/h/.claude/projects/p/s1.jsonl', cwd: '/work/proj', permission_mode: 'default' };
const claude = (extra: object) => parseHookEvent('claude', { ...base, ...extra });

describe('reading hook events', () => {
  it('takes the fields it needs and ignores the rest', () => {
    const e = claude({ hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: '/work/proj/a.txt', content: 'x' }, tool_use_id: 't1', effort: { level: 'high' } });
    expect(e).toEqual({ cli: 'claude', name: 'PreToolUse', tool: 'Write', input: { file_path: '/work/proj/a.txt', content: 'x' }, notification: undefined, cwd: '/work/proj' });
  });

  it('refuses what is not a hook event, saying what is wrong', () => {
    for (const bad of [null, 'Stop', [], {}, { hook_event_name: '' }, { hook_event_name: 7 }, { hook_event_name: 'x'.repeat(65) }]) {
      expect(() => parseHookEvent('claude', bad)).toThrow(HookInputError);
    }
    expect(() => parseHookEvent('codex', { hook_event_name: 'Stop', tool_name: 42 })).toThrow(/tool_name/);
  });
});

describe('what an event says the CLI is doing', () => {
  it('a turn is busy from the prompt through its tools, and idle at Stop', () => {
    expect(hookState(claude({ hook_event_name: 'UserPromptSubmit', prompt: 'hi' }))).toEqual({ state: 'busy', reason: 'claude:UserPromptSubmit' });
    for (const name of ['PreToolUse', 'PostToolUse', 'PostToolUseFailure']) expect(hookState(claude({ hook_event_name: name, tool_name: 'Bash' }))?.state).toBe('busy');
    expect(hookState(claude({ hook_event_name: 'Stop', stop_hook_active: false }))).toEqual({ state: 'idle', reason: 'claude:Stop' });
    expect(hookState(claude({ hook_event_name: 'StopFailure' }))?.state).toBe('idle');
  });

  it('a permission dialog waits for the person; so do the notifications that say so', () => {
    expect(hookState(claude({ hook_event_name: 'PermissionRequest', tool_name: 'Write' }))?.state).toBe('waiting');
    expect(hookState(claude({ hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your permission' }))).toEqual({
      state: 'waiting',
      reason: 'claude:Notification:permission_prompt',
    });
    expect(hookState(claude({ hook_event_name: 'Notification', notification_type: 'idle_prompt' }))?.state).toBe('idle');
    expect(hookState(claude({ hook_event_name: 'Notification', notification_type: 'auth_success' }))).toBeUndefined();
  });

  it("Codex's Interrupt ends the turn; events about other things say nothing", () => {
    expect(hookState(parseHookEvent('codex', { hook_event_name: 'Interrupt', turn_id: 't', model: 'm' }))).toEqual({ state: 'idle', reason: 'codex:Interrupt' });
    for (const name of ['SessionStart', 'SessionEnd', 'SubagentStop', 'PreCompact', 'MessageDisplay']) expect(hookState(claude({ hook_event_name: name }))).toBeUndefined();
  });
});

describe('the files a tool call would write', () => {
  const pre = (tool_name: string, tool_input: unknown, cwd = '/work/proj') => writtenPaths(claude({ hook_event_name: 'PreToolUse', tool_name, tool_input, cwd }));

  it("Claude Code's file tools, absolute or relative to its folder", () => {
    expect(pre('Write', { file_path: '/work/proj/src/a.ts', content: '' })).toEqual(['/work/proj/src/a.ts']);
    expect(pre('Edit', { file_path: 'src/b.ts', old_string: 'a', new_string: 'b' })).toEqual(['/work/proj/src/b.ts']);
    expect(pre('MultiEdit', { file_path: '/work/proj/./src/../c.ts', edits: [] })).toEqual(['/work/proj/c.ts']);
    expect(pre('NotebookEdit', { notebook_path: 'nb.ipynb', new_source: '' })).toEqual(['/work/proj/nb.ipynb']);
  });

  it("Codex's apply_patch: every file its patch adds, updates, deletes or moves to", () => {
    const patch = ['*** Begin Patch', '*** Add File: new.txt', '+hi', '*** Update File: src/a.ts', '*** Move to: src/b.ts', '@@', '-x', '+y', '*** Delete File: old.txt', '*** End Patch', ''].join('\n');
    expect(patchPaths(patch)).toEqual(['new.txt', 'src/a.ts', 'src/b.ts', 'old.txt']);
    const e = parseHookEvent('codex', { hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: patch }, cwd: '/w' });
    expect(writtenPaths(e)).toEqual(['/w/new.txt', '/w/src/a.ts', '/w/src/b.ts', '/w/old.txt']);
  });

  it('a shell command cannot be known before it runs, nor can a malformed input: none', () => {
    expect(pre('Bash', { command: 'echo x > a.txt' })).toEqual([]);
    expect(pre('Read', { file_path: '/work/proj/a.ts' })).toEqual([]);
    expect(pre('Write', { file_path: 42 })).toEqual([]);
    expect(pre('Write', 'a.txt')).toEqual([]);
    expect(pre('Edit', null)).toEqual([]);
    // Relative, and no folder to resolve it against.
    expect(writtenPaths({ cli: 'claude', name: 'PreToolUse', tool: 'Write', input: { file_path: 'a.txt' } })).toEqual([]);
  });
});

it('a refusal is the PreToolUse deny both CLIs read, with the message for the model', () => {
  expect(denyAnswer('src/a.ts is claimed by task t1 (lead)')).toEqual({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'src/a.ts is claimed by task t1 (lead)' },
  });
});
