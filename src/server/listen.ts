/**
 * Where the server listens, checked before it starts: a port from a user (a flag, an option) and
 * the operating system's listen errors, each turned into one sentence. A ServerStartError is the
 * user's to fix (the CLI answers it with exit 2); any other error from start-up is a bug.
 */

export type ServerStartProblem = 'invalid-port' | 'port-in-use' | 'permission' | 'address' | 'public-key';

export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  constructor(
    message: string,
    readonly problem: ServerStartProblem,
  ) {
    super(message);
  }
}

/**
 * A TCP port from a flag or an option: an integer 0..65535 (0 = any free port), as a number or
 * its decimal spelling. Anything else throws a ServerStartError that quotes what was given.
 */
export function parsePort(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const n = typeof value === 'number' ? value : text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new ServerStartError(`The port must be a whole number from 0 to 65535 (0 = any free port); got ${shown}.`, 'invalid-port');
}

/** The listen error of `net.Server` as one sentence (or the error itself when it is not a user's to fix). */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new ServerStartError(`Port ${port} on ${host} is already in use.`, 'port-in-use');
    case 'EACCES':
    case 'EPERM':
      return new ServerStartError(`Not allowed to listen on port ${port} on ${host} (ports below 1024 need root).`, 'permission');
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAFNOSUPPORT':
      return new ServerStartError(`Cannot listen on ${host}: it is not an address of this machine.`, 'address');
    default:
      return err;
  }
}
