// The agent socket flooded before any hello: another process opens 300 connections and sends 900 KB
// on each without a newline (this grew a workspace from 92 MB to 505 MB). The flood runs in a
// child process, so this process's memory is the server's alone.
import { execFile } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { IpcServer } from '../../src/ipc/server.js';
import { until } from '../helpers/term.js';
import { Peer } from './peer.js';

const FLOOD = `
const net = require('node:net');
const [path, n, size] = process.argv.slice(1);
const payload = '{"t":"hello","token":"' + 'x'.repeat(Number(size));
// Each connection is done when the server took all of it or hung up on it.
const done = Array.from({ length: Number(n) }, () => new Promise((resolve) => {
  const s = net.connect(path, () => s.write(payload, resolve));
  s.on('error', () => {});
  s.on('close', resolve);
}));
Promise.all(done).then(() => process.exit(0));
`;

function flood(path: string, n: number, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', FLOOD, path, String(n), String(size)], { timeout: 60_000 }, (err) => (err ? reject(err) : resolve()));
  });
}

let ipc: IpcServer | undefined;
afterEach(() => ipc?.close());

it('300 connections sending 900 KB each before a hello cost the workspace little memory, and an agent still gets in', async () => {
  ipc = await IpcServer.start();
  const token = ipc.envFor(1).AGENTS_IPC_TOKEN;
  const before = process.memoryUsage().rss;
  await flood(ipc.path, 300, 900_000);
  const grew = process.memoryUsage().rss - before;
  console.log(`ipc flood: 300 x 900 KB before hello; server RSS grew ${(grew / 1e6).toFixed(1)} MB`);
  expect(grew).toBeLessThan(60e6);
  const agent = await Peer.open(ipc.path);
  agent.hello(token);
  await until(() => agent.welcomed, { message: 'the welcome' });
  agent.close();
});
