/**
 * "1 rule", "2 rules"; nouns that do not just add an s name their plural ("1 policy", "2 policies").
 * A module of its own, free of imports: client components use it, and importing it from a module
 * that builds zod schemas put zod into the browser's bundle.
 */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? noun : pluralNoun}`;
}
