/**
 * A value built on its first use and kept from then on. For zod schemas above all: building one
 * costs CPU (zod makes an object per schema, per check and per wrapper like `.optional()`), and the
 * workspace server loads many modules on its way to its first frame whose schemas it checks nothing
 * with until later (a task request, an agent's first line, a stored session read back).
 *
 * Types stay derived from the builder: `z.infer<ReturnType<typeof schemaGetter>>`.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
