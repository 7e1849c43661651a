/** A command's output kept as head + tail, so memory stays bounded however much it prints. */
import { StringDecoder } from 'node:string_decoder';

export const OUTPUT_HEAD_BYTES = 10_000;
export const OUTPUT_TAIL_BYTES = 20_000;

/** Keeps the first and last bytes of a stream; counts what falls between. */
export class OutputCap {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  private total = 0;

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headLen < OUTPUT_HEAD_BYTES) {
      const take = Math.min(OUTPUT_HEAD_BYTES - this.headLen, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headLen += take;
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailLen += chunk.length;
    while (this.tail.length > 1 && this.tailLen - this.tail[0].length >= OUTPUT_TAIL_BYTES) {
      this.tailLen -= (this.tail.shift() as Buffer).length;
    }
  }

  render(): string {
    // StringDecoder holds back a character split at the end of the head instead of mangling it.
    const head = new StringDecoder('utf8').write(Buffer.concat(this.head));
    let tail = Buffer.concat(this.tail);
    if (tail.length > OUTPUT_TAIL_BYTES) tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
    const cut = this.total - this.headLen - tail.length;
    let start = 0;
    while (cut > 0 && start < tail.length && (tail[start] & 0xc0) === 0x80) start++; // mid-character
    const tailText = tail.subarray(start).toString('utf8');
    const text = cut > 0 ? `${head}\n[... ${cut + start} bytes of output cut here ...]\n${tailText}` : head + tailText;
    return stripAnsi(text);
  }
}

// Colour and cursor codes are noise to the model (and some tools emit them even into a pipe).
const ANSI = new RegExp('\\u001b\\[[0-?]*[ -/]*[@-~]|\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)|\\u001b[@-Z\\\\-_]', 'g');

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
