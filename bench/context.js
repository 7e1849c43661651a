// What the shared context costs an agent per turn: the tokens the "what changed" block adds to its
// next user message, for 10 changes (issue 4's goal: <= 200) and for a burst of 1,000. Uses the real
// change feed from dist/ with an in-memory file reader. Runnable alone: `node bench/context.js`.
import { ChangeFeed } from '../dist/context/feed.js';
import { estimateTokens } from '../dist/context/delivery.js';

async function blockFor(changes) {
  const files = new Map();
  const reader = async (path) => (files.has(path) ? new TextEncoder().encode(files.get(path)) : undefined);
  // No hold for late attributions and a short quiet time, so the bench waits only for the feed itself.
  const feed = new ChangeFeed({ read: reader, holdMs: 0, burstQuietMs: 200 });
  feed.addAgent('reader');
  const batch = [];
  for (let i = 0; i < changes; i++) {
    const path = `src/module-${i % 7}/file-${i}.ts`;
    files.set(path, Array.from({ length: 20 + (i % 13) }, (_, k) => `export const v${k} = ${k};`).join('\n'));
    batch.push({ path, kind: 'modified', isDir: false, time: Date.now() });
  }
  // Attributed to another agent, as most changes in a busy workspace are.
  feed.ingest(batch.slice(0, Math.ceil(changes / 2)));
  feed.ingest(batch.slice(Math.ceil(changes / 2)));
  await feed.settled();
  // A burst publishes its summary once quiet; wait for the feed to stop changing.
  let last = -1;
  for (let i = 0; i < 100 && feed.undelivered('reader') !== last; i++) {
    last = feed.undelivered('reader');
    await new Promise((r) => setTimeout(r, 300));
  }
  const d = feed.formatDelivery('reader');
  feed.dispose();
  return { chars: d?.text.length ?? 0, tokens: d ? estimateTokens(d.text) : 0, text: d?.text ?? '' };
}

export async function runContextBench() {
  return { ten: await blockFor(10), thousand: await blockFor(1000) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runContextBench();
  console.log(`10 changes: ${r.ten.tokens} tokens (${r.ten.chars} chars)\n${r.ten.text}\n\n1000 changes: ${r.thousand.tokens} tokens (${r.thousand.chars} chars)`);
}
