/**
 * Our native part (native/, built by `npm install`) for code that runs before the program or in a
 * terminal's client: where it lives, and one of its functions by name. src/terminal/native.ts checks
 * the whole addon with zod, which such code must not load.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The build folder, from src/util (tests) and from a file one folder below dist/ alike. */
export const NATIVE_BUILD = fileURLToPath(new URL('../../native/build/Release/', import.meta.url));

let addon: object | null | undefined;

/** The addon's function `name`, or undefined without the native build (or off Linux, where none of these apply). */
export function addonFunction(name: string): ((...args: unknown[]) => unknown) | undefined {
  if (addon === undefined) {
    try {
      const loaded: unknown = process.platform === 'linux' ? createRequire(import.meta.url)(`${NATIVE_BUILD}agents_native.node`) : null;
      addon = typeof loaded === 'object' && loaded !== null ? loaded : null;
    } catch {
      addon = null;
    }
  }
  const f: unknown = addon ? Reflect.get(addon, name) : undefined;
  return typeof f === 'function' ? (...args) => Reflect.apply(f, addon, args) : undefined;
}

/** The descriptor of a Node stream's libuv handle (a socket, a tty stream); Node has no public way to it. */
export function handleFd(stream: unknown): number | undefined {
  const handle: unknown = typeof stream === 'object' && stream !== null ? Reflect.get(stream, '_handle') : undefined;
  const fd: unknown = typeof handle === 'object' && handle !== null ? Reflect.get(handle, 'fd') : undefined;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
