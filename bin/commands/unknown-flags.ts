/**
 * yargs' "Unknown arguments: duet-server-latency, duetServerLatency" rewritten for a person: each
 * unknown flag named once, as it was typed (`--duet-server-latency`), with the nearest known flag
 * of that command when one is close (`--usres` → "did you mean --users?").
 */

const UNKNOWN = /^Unknown arguments?: (.+)$/;

/** A typed token that yargs called unknown: `--usres`, `-x`, or a positional such as `bogus`. */
interface Typed {
  shown: string;
  /** The name without dashes or a `no-` prefix, for finding the nearest known flag. */
  name: string;
  flag: boolean;
}

/** `duetServerLatency` → `duet-server-latency` (yargs reports both spellings of one flag). */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** What was typed for each name yargs reported, in the order typed, each flag once. */
function typedTokens(names: string[], argv: string[]): Typed[] {
  const wanted = new Set(names.map(kebab));
  const found: Typed[] = [];
  const seen = new Set<string>();
  const add = (t: Typed): void => {
    if (seen.has(t.shown)) return;
    seen.add(t.shown);
    found.push(t);
  };
  for (const token of argv) {
    if (token === '--') break;
    if (token.startsWith('--')) {
      const written = token.slice(2).split('=')[0]!;
      const bare = written.startsWith('no-') && !wanted.has(kebab(written)) ? written.slice(3) : written;
      if (wanted.has(kebab(bare))) add({ shown: `--${written}`, name: kebab(bare), flag: true });
    } else if (/^-[^-\d]/.test(token)) {
      for (const letter of token.slice(1).split('=')[0]!) if (wanted.has(letter)) add({ shown: `-${letter}`, name: letter, flag: true });
    } else if (names.includes(token)) {
      add({ shown: token, name: token, flag: false });
    }
  }
  // Anything yargs named that we could not find typed is shown as yargs spelled it (never twice).
  for (const name of names) {
    if (!found.some((t) => t.name === kebab(name) || t.shown === name)) add({ shown: name.length > 1 ? `--${kebab(name)}` : `-${name}`, name: kebab(name), flag: true });
  }
  return found;
}

/** Optimal string alignment distance: Levenshtein plus swapping two neighbours (`usres` → `users` is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known long flag nearest to `name`, if it is close enough to be a slip: at most 1 edit for a
 * name of up to 4 letters, 2 up to 8, 3 beyond; a name of two letters or fewer gets no guess.
 */
export function nearestFlag(name: string, known: readonly string[]): string | undefined {
  if (name.length <= 2) return undefined;
  const limit = name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3;
  let best: { flag: string; distance: number } | undefined;
  for (const flag of known) {
    if (flag.length < 2) continue;
    const distance = editDistance(name, flag);
    if (distance <= limit && (!best || distance < best.distance)) best = { flag, distance };
  }
  return best?.flag;
}

/** What the command being parsed accepts: long flag names (kebab-case, no dashes) and command names. */
export interface KnownArguments {
  flags: readonly string[];
  commands: readonly string[];
}

/**
 * One sentence for yargs' unknown-argument message, or undefined when `message` is some other
 * complaint: `unknown option --usres; did you mean --users?`, or for several
 * `unknown options --usres (did you mean --users?), --foo`.
 */
export function describeUnknownArguments(message: string, argv: string[], known: KnownArguments): string | undefined {
  const m = UNKNOWN.exec(message.trim());
  if (!m) return undefined;
  const names = m[1]!.split(', ').map((s) => s.replace(/^"(.*)"$/, '$1'));
  const typed = typedTokens(names, argv);
  const guesses = typed.map((t) => (t.flag ? nearestFlag(t.name, known.flags) : nearestFlag(t.name, known.commands)));
  const noun = `${typed.every((t) => t.flag) ? 'option' : 'argument'}${typed.length > 1 ? 's' : ''}`;
  const guessed = (i: number): string => {
    const g = guesses[i];
    return g === undefined ? '' : typed[i]!.flag ? `--${g}` : g;
  };
  if (typed.length === 1) return `unknown ${noun} ${typed[0]!.shown}${guesses[0] ? `; did you mean ${guessed(0)}?` : ''}`;
  return `unknown ${noun} ${typed.map((t, i) => (guesses[i] ? `${t.shown} (did you mean ${guessed(i)}?)` : t.shown)).join(', ')}`;
}
