/**
 * Errors are values with a stable code and a message a user can act on (STYLE.md habit 6).
 * The daemon maps codes to HTTP statuses in one place; everything below it just throws these.
 */
export class PlasticdError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PlasticdError';
  }
}
