/** The slice of a pino-style logger the simulated BlueZ writes to; a pino Logger satisfies it. */
export interface SimLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: SimLogger = {
  debug() {},
  warn() {},
};
