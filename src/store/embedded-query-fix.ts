import { createRequire } from "node:module";

/**
 * The embedded Cosmos DB server's query engine (@zeit/cosmosdb-query 0.7.2, the last release) compiles
 * every query to JavaScript that gathers documents with `reduce(($, c) => [...$, { c }], [])`: each
 * step copies the whole accumulator, so one query over 100,000 documents takes over a minute.
 * This rewrites the compiled code, once per query text, so that each such step appends in place
 * (`($.push({ c }), $)`): the same results, in linear time. Local mode only; Azure is not involved.
 */

type Node = { type: string; [key: string]: unknown };

const isAccumulatorCopy = (node: Node): boolean => {
  if (node.type !== "ArrayExpression") return false;
  const [first] = node.elements as Array<Node | null>;
  return (
    first?.type === "SpreadElement" &&
    (first.argument as Node).type === "Identifier" &&
    (first.argument as Node).name === "$"
  );
};

/** `[...$, a, ...b]` becomes `($.push(a, ...b), $)`, wherever the engine builds an accumulator. */
const rewrite = (node: unknown): void => {
  if (Array.isArray(node)) return node.forEach(rewrite);
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  for (const [key, child] of Object.entries(n)) {
    if (child && typeof child === "object" && isAccumulatorCopy(child as Node)) {
      const rest = ((child as Node).elements as Node[]).slice(1);
      n[key] = {
        type: "SequenceExpression",
        expressions: [
          {
            type: "CallExpression",
            callee: {
              type: "MemberExpression",
              object: { type: "Identifier", name: "$" },
              property: { type: "Identifier", name: "push" },
              computed: false,
            },
            arguments: rest,
          },
          { type: "Identifier", name: "$" },
        ],
      };
    }
    rewrite(n[key]);
  }
};

/** The engine the embedded server loaded, and its compiler's parts. */
const engine = () => {
  const serverRequire = createRequire(createRequire(import.meta.url).resolve("@vercel/cosmosdb-server"));
  const engineRequire = createRequire(serverRequire.resolve("@zeit/cosmosdb-query"));
  return {
    query: (serverRequire("@zeit/cosmosdb-query") as { default: (sql: string) => { ast: unknown } }).default,
    transform: (engineRequire("./transformer") as { default: (ast: unknown) => Node }).default,
    generate: (engineRequire("@babel/generator") as { default: (ast: Node) => { code: string } }).default,
    execute: (
      engineRequire("./executor") as {
        default: (docs: unknown[], options: object) => { result: unknown[]; continuation: unknown };
      }
    ).default,
  };
};

/** Compiles a query as the engine does, with or without the rewrite (the tests compare the two). */
export const compileQuery = (sql: string, optimised: boolean): string => {
  const { query, transform, generate } = engine();
  const jsAst = transform(query(sql).ast);
  if (optimised) rewrite(jsAst);
  return generate(jsAst).code;
};

/** Runs compiled query code over documents with the engine's own executor. */
export const runCompiledQuery = (
  code: string,
  docs: unknown[],
  options: { parameters?: Array<{ name: string; value: unknown }>; maxItemCount?: number } = {},
) => engine().execute(docs, { code, ...options });

let applied = false;

/** Installs the rewrite into the query engine that the embedded server loaded; idempotent. */
export const speedUpEmbeddedQueries = (): void => {
  if (applied) return;
  const { query, transform, generate } = engine();
  const prototype = Object.getPrototypeOf(query("SELECT * FROM c")) as object;
  Object.defineProperty(prototype, "code", {
    configurable: true,
    get(this: { ast: unknown; _code: string | null }) {
      if (!this._code) {
        const jsAst = transform(this.ast);
        rewrite(jsAst);
        this._code = generate(jsAst).code;
      }
      return this._code;
    },
  });
  applied = true;
};
