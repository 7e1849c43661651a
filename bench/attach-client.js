// The smallest attach client, to measure what a workspace server's client would cost (bench only,
// not the product): connect to a unix socket, send a hello line with the terminal size, then put
// the terminal in raw mode and copy bytes both ways until the server closes. node: built-ins only,
// so its start-up is Node's own plus a few ms (bench/socket-hop.js measures it; a CommonJS copy
// measured the same within noise).
import net from 'node:net';

const sock = net.connect(process.argv[2]);
const { stdin, stdout } = process;
sock.on('connect', () => {
  if (stdin.isTTY) stdin.setRawMode(true);
  sock.write(JSON.stringify({ v: 1, cols: stdout.columns, rows: stdout.rows }) + '\n');
  sock.pipe(stdout);
  stdin.pipe(sock);
});
const done = (code) => {
  if (stdin.isTTY) stdin.setRawMode(false);
  process.exit(code);
};
sock.on('close', () => done(0));
sock.on('error', (e) => {
  process.stderr.write(`attach-client: ${e.message}\n`);
  done(1);
});
