// The shape every validator returns, so a window can show each field's error as the user types and the CLI
// can print the first one. Browser-safe.

export interface FieldError {
  /** Position in a list (targets), when the error is about one entry. */
  index?: number;
  /** The option the error is about ("ports", "timing"), for object validators. */
  field?: string;
  /** The text (or value) that was refused, as given. */
  input: string;
  /** What is wrong and what to do, one line. */
  message: string;
}

export type Validation<T> = { ok: true; value: T; warnings: string[] } | { ok: false; errors: FieldError[] };

export function valid<T>(value: T, warnings: string[] = []): Validation<T> {
  return { ok: true, value, warnings };
}

export function invalid<T>(errors: FieldError[]): Validation<T> {
  return { ok: false, errors };
}

/** One line for the CLI and for exceptions: "target 2 (10.0.0.5-1): ..." or just the message. */
export function describeError(error: FieldError, noun = 'target'): string {
  if (error.index !== undefined) return `${noun} ${error.index + 1} (${error.input}): ${error.message}`;
  if (error.field !== undefined) return `${error.field}: ${error.message}`;
  return error.message;
}

/** 65536 -> "65,536" (the same in every locale, so messages and tests agree). */
export function groupDigits(n: number | bigint): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
