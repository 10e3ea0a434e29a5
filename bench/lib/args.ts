/** The command line of a bench script: `--name value` options. */
const argv = process.argv.slice(2);

/** `--name N` as a number, or `dflt` when absent. */
export function numberArg(name: string, dflt: number): number {
  return argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt;
}

/** `--name TEXT`, or `dflt` when absent. */
export function textArg(name: string, dflt: string): string;
export function textArg(name: string, dflt?: string): string | undefined;
export function textArg(name: string, dflt?: string): string | undefined {
  return argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt;
}
