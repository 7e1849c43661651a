/**
 * Store failures as data a caller can act on. `StoreError` is what `ProjectStore.open` hands back
 * (never throws): `locked` (another live process writes this project), `corrupt` (a stored file
 * could not be read; what could be recovered is kept and the file is moved aside) and `io` (the disk
 * refused). `RecordError` is thrown for a record that does not match its stream's schema: that is
 * a bug in the caller, not a state of the disk.
 */
export type StoreErrorKind = 'locked' | 'corrupt' | 'io';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** The file or folder the message is about. */
    readonly path?: string,
  ) {
    super(message);
  }
}

export class RecordError extends TypeError {
  override readonly name = 'RecordError';
}

/** `EACCES: permission denied, open '/x'` -> `permission denied (EACCES)`, without a stack. */
export function describeFsError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const msg = err instanceof Error ? err.message : String(err);
    const m = /^[A-Z]+: ([^,]+)/.exec(msg);
    return `${m ? m[1] : msg} (${err.code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
