// Types for the plain-JS script, so the harness tests can import it without @ts-expect-error.
/** A server found by its executables, or a non-executable file (fonts) found by its absolute path. */
export interface Requirement {
  readonly name: string;
  readonly executables?: readonly string[];
  readonly files?: readonly string[];
  readonly package: string;
  /** The process a package's maintainer scripts may start; absent for packages that start nothing. */
  readonly daemon?: string;
}

export const REQUIREMENTS: readonly Requirement[];
export const PURPOSES: { readonly up: readonly string[]; readonly test: readonly string[] };

export interface ProcessInfo {
  readonly comm: string;
  readonly ppid: number;
}

export function processTable(): Map<number, ProcessInfo>;
export function stopDaemonsStartedBy(
  installed: readonly Pick<Requirement, 'daemon'>[],
  before: Map<number, ProcessInfo>,
): Promise<void>;
