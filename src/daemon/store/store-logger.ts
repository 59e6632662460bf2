/**
 * The slice of a pino logger the store uses (a pino `Logger` or child logger fits), and a
 * silent default so the store runs without one in tests and scripts.
 */
export interface StoreLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export const silentLogger: StoreLogger = {
  info: () => undefined,
  warn: () => undefined,
};
