/**
 * Interrupting and redirecting a program we can only type into (Claude Code, Codex, a shell), and
 * checking that it worked. A person at the keyboard watches the screen after each key; these do the
 * same through the pane's detected activity:
 *
 *   interrupt: its interrupt key, then wait until it is no longer busy (or waiting on a dialog).
 *   redirect:  interrupt if it works; wait until it is at its prompt; type the text (as a bracketed
 *              paste when the program enabled it); wait; Enter; wait for the turn to start; one more
 *              Enter if it did not; otherwise say so rather than drop the text silently.
 *
 * Built-in agents take both exactly over IPC and never come here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { meaningfulLines, type Activity } from './activity.js';
import type { Pane } from './pane.js';
import { INTERRUPT_KEY, PRESETS } from './presets.js';
import { log } from '../util/log.js';
import { typeable } from '../util/safe-text.js';

/** How long an interrupted program gets to stop before we say it did not. */
export const INTERRUPT_CONFIRM_MS = 4000;
/** How long a program gets to come back to its prompt; after that the text is not typed and we say so. */
export const READY_MS = 8000;
/**
 * The gap between the text and its Enter. Codex reads an Enter within ~120 ms of a paste as a newline
 * (FIELD-NOTES), Claude Code needs a frame to take a paste in: this is part of how they expect input.
 */
export const ENTER_AFTER_TEXT_MS = 250;
/** How long after Enter the turn has to show as started. */
export const SUBMIT_CONFIRM_MS = 3000;

export interface SteerHost {
  /** Reads the pane's activity now, unthrottled, and records it. */
  detect(pane: Pane): Activity | undefined;
  /** Resolves true as soon as `pred` holds for the pane's activity (checked now and at every change), false after `ms`. */
  until(pane: Pane, pred: (a: Activity | undefined) => boolean, ms: number, opts?: { urgent?: boolean }): Promise<boolean>;
}

/** Steering waits are short and read every frame, so a brief state is not missed. */
const URGENT = { urgent: true };

export type SteerResult = { ok: true; ms: number; detail: string } | { ok: false; ms: number; detail: string };

const working = (a: Activity | undefined) => a?.state === 'busy' || a?.state === 'waiting';

/**
 * For a CLI we have screen rules for, only a rule's reading or its hooks' report counts: while it
 * starts up (or draws something no rule knows) the output-timing guess would call a blank screen
 * "idle" and its first frame "a turn started", and text typed then is lost.
 */
function trusted(pane: Pane, pred: (a: Activity | undefined) => boolean): (a: Activity | undefined) => boolean {
  return (a) => (!pane.hasScreenRules || a?.source === 'screen' || a?.source === 'hook') && pred(a);
}

/** How long a program only guessed to be idle gets to show what its interrupt key did (exit, or not). */
const GUESSED_SETTLE_MS = 300;

/** Sends the pane's interrupt key and waits for the program to stop working. */
export async function interruptConfirmed(host: SteerHost, pane: Pane): Promise<SteerResult> {
  const t0 = Date.now();
  const before = host.detect(pane);
  if (!pane.running) return { ok: false, ms: 0, detail: 'is not running' };
  const key = INTERRUPT_KEY[pane.spec.interrupt];
  // Known to be idle: its interrupt key would not stop anything, and a second Esc can open a dialog
  // (Claude Code's rewind). Only a guess gets the key anyway.
  if (before && before.source !== 'guess' && !working(before) && trusted(pane, () => true)(before)) return { ok: true, ms: 0, detail: 'was not busy' };
  pane.interrupt();
  if (!working(before)) {
    // Quiet is not idle for a program we can only guess about (a `sleep` prints nothing): see
    // whether the key ended it before saying anything.
    const exited = await host.until(pane, () => !pane.running, GUESSED_SETTLE_MS, URGENT);
    return { ok: true, ms: Date.now() - t0, detail: exited ? `exited on ${key}` : `was quiet; ${key} sent` };
  }
  const settled = trusted(pane, (a) => a !== undefined && !working(a));
  // A program that ends on its interrupt key (a script, a test run) has stopped too.
  const ok = await host.until(pane, (a) => !pane.running || settled(a), INTERRUPT_CONFIRM_MS, URGENT);
  const ms = Date.now() - t0;
  if (ok && !pane.running) return { ok, ms, detail: `exited on ${key}` };
  return ok ? { ok, ms, detail: `stopped in ${ms} ms` } : { ok, ms, detail: `still busy ${Math.round(ms / 1000)} s after ${key}` };
}

/** The head of the text as a screen would show it: enough to recognise, short enough not to wrap. */
function headOf(text: string): string {
  return text.trim().split('\n')[0].slice(0, 16);
}

/**
 * After Enter: did the program take the text? A turn that started shows as busy or waiting; a turn so
 * short that no reading caught it shows as the text gone from the input line but present above it.
 */
function submitted(pane: Pane, head: string, enterAt: number): (a: Activity | undefined) => boolean {
  return (a) => {
    // Only what the program drew after Enter tells anything about Enter.
    if (pane.terminal.lastOutput < enterAt) return false;
    if (working(a)) {
      log(`steer ${pane.name}: turn started (${a?.state}, ${a?.reason})`);
      return true;
    }
    if (a?.source !== 'screen' || !head) return false;
    const lines = meaningfulLines(pane.terminal.screenText());
    const input = lines.slice(-3).join('\n');
    const taken = !input.includes(head) && lines.some((l) => l.includes(head));
    if (taken) log(`steer ${pane.name}: text left the input line (${a.reason})`);
    return taken;
  };
}

/** Interrupt (if needed), wait for the prompt, type `text`, Enter, and confirm the turn started. */
export async function redirectTyped(host: SteerHost, pane: Pane, text: string, opts: { interrupt?: boolean } = {}): Promise<SteerResult> {
  const t0 = Date.now();
  const elapsed = () => Date.now() - t0;
  if (!pane.running) return { ok: false, ms: 0, detail: 'is not running' };
  if (opts.interrupt !== false && working(host.detect(pane))) {
    const r = await interruptConfirmed(host, pane);
    if (!r.ok) return { ok: false, ms: elapsed(), detail: `did not stop (${r.detail}); the text was not typed` };
  }
  if (!(await host.until(pane, trusted(pane, (a) => a?.state === 'idle'), READY_MS, URGENT)))
    return { ok: false, ms: elapsed(), detail: 'never came back to its prompt; the text was not typed' };

  // A half-typed draft in its input would be glued to the new text; keys the person types meanwhile
  // wait until the text is in and submitted.
  const release = pane.holdKeys();
  try {
    const run = pane.terminal.run;
    const clear = pane.spec.preset && PRESETS[pane.spec.preset].clearInput;
    if (clear) pane.terminal.write(clear);
    const { bracketedPaste } = pane.terminal.modes;
    // Only text goes in, never keys: no control character (an `ESC[201~` would end the paste, a CR
    // press Enter); without bracketed paste a newline would submit half the text, so it is one line.
    const typed = typeable(text, { newlines: bracketedPaste });
    pane.terminal.write(bracketedPaste ? `\x1b[200~${typed}\x1b[201~` : typed);
    await sleep(ENTER_AFTER_TEXT_MS);
    const head = headOf(typed);
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (!pane.running) return { ok: false, ms: elapsed(), detail: 'exited before the text was submitted' };
      if (pane.terminal.run !== run) return { ok: false, ms: elapsed(), detail: 'was restarted before the text was submitted' };
      const enterAt = Date.now();
      pane.terminal.write('\r');
      if (await host.until(pane, trusted(pane, submitted(pane, head, enterAt)), SUBMIT_CONFIRM_MS, URGENT))
        return { ok: true, ms: elapsed(), detail: attempt === 1 ? 'started a turn' : 'started a turn after a second Enter' };
    }
  } finally {
    release();
  }
  return { ok: false, ms: elapsed(), detail: 'did not start a turn after two Enters; the text is still in its input' };
}
