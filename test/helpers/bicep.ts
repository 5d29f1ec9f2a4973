/**
 * Just enough of Bicep's syntax to read infra/azure.bicep without the Bicep CLI (absent offline): its
 * declarations, and object/array literals turned into plain values. Expressions stay as their source text.
 */

export type BicepValue = string | number | boolean | null | BicepValue[] | { [key: string]: BicepValue } | Expr;
/** An expression that is not a literal (a reference, a call, an interpolated string...), as written. */
export class Expr {
  constructor(readonly source: string) {}
}

export type Declaration = { kind: "param" | "var" | "resource" | "output"; name: string; rest: string; start: number };

/** Top-level declarations with their position; for resources, `rest` is `'<type>@<apiVersion>'`. */
export const declarations = (text: string): Declaration[] =>
  [...text.matchAll(/^(param|var|resource|output)\s+(\w+)\s+([^\n=]*)/gm)].map((m) => ({
    kind: m[1] as Declaration["kind"],
    name: m[2]!,
    rest: m[3]!.trim(),
    start: m.index!,
  }));

/** The resources: symbolic name → type and API version. */
export const resources = (text: string) =>
  new Map(
    declarations(text)
      .filter((d) => d.kind === "resource")
      .map((d) => {
        const m = /^'([^'@]+)@([^']+)'/.exec(d.rest);
        if (!m) throw new Error(`resource ${d.name}: no type@version in "${d.rest}"`);
        return [d.name, { type: m[1]!, apiVersion: m[2]!, start: d.start }] as const;
      }),
  );

/** The body `{...}` of a declaration (resource), parsed. */
export const bodyOf = (text: string, name: string): { [key: string]: BicepValue } => {
  const d = declarations(text).find((x) => x.name === name);
  if (!d) throw new Error(`no declaration ${name}`);
  const open = text.indexOf("= {", d.start);
  return parseValue(text, open + 2).value as { [key: string]: BicepValue };
};

const skipSpace = (text: string, i: number, newlines: boolean) => {
  for (;;) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || (newlines && (c === "\n" || c === ","))) i++;
    else if (text.startsWith("//", i)) i = text.indexOf("\n", i);
    else return i;
  }
};

/** Parses the value starting at `i` (an object, array, string, number, boolean or expression up to line end). */
export const parseValue = (text: string, i: number): { value: BicepValue; end: number } => {
  i = skipSpace(text, i, false);
  const c = text[i];
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    const out: BicepValue[] = [];
    const obj: { [key: string]: BicepValue } = {};
    i++;
    for (;;) {
      i = skipSpace(text, i, true);
      if (text[i] === close) return { value: c === "{" ? obj : out, end: i + 1 };
      if (c === "{") {
        const key = /^(?:'([^']*)'|(\w+))\s*:/.exec(text.slice(i, i + 300));
        if (!key) throw new Error(`bicep: expected a key at ${text.slice(i, i + 40)}`);
        const v = parseValue(text, i + key[0].length);
        obj[key[1] ?? key[2]!] = v.value;
        i = v.end;
      } else {
        const v = parseValue(text, i);
        out.push(v.value);
        i = v.end;
      }
    }
  }
  if (c === "'") {
    const end = text.indexOf("'", i + 1);
    const raw = text.slice(i + 1, end);
    // An interpolated string is an expression; a plain one is a literal.
    return { value: raw.includes("${") ? new Expr(`'${raw}'`) : raw, end: end + 1 };
  }
  // Anything else runs to the end of the line, or to the closing bracket of a one-line literal.
  let end = i;
  let depth = 0;
  while (end < text.length && text[end] !== "\n") {
    const ch = text[end]!;
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    if (ch === ")" || ch === "]" || ch === "}") {
      if (depth === 0) break;
      depth--;
    }
    if (ch === "," && depth === 0) break;
    end++;
  }
  const source = text.slice(i, end).trim();
  if (source === "true" || source === "false") return { value: source === "true", end };
  if (source === "null") return { value: null, end };
  if (/^-?\d+$/.test(source)) return { value: Number(source), end };
  return { value: new Expr(source), end };
};
