/**
 * Base of every Linkwell error that carries a `<PKG>_ERR_<REASON>` code. Callers branch on `code`, never on
 * the message, whose text is for people. Lives here because every package already depends on this one.
 */
export class CodedError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = new.target.name;
  }
}

export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}
