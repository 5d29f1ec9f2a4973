import assert from "node:assert/strict";
import { compileQuery, runCompiledQuery } from "../../src/store/embedded-query-fix.js";

/** Documents with the shapes our queries meet: nested objects, arrays, nulls, missing fields. */
const docs = Array.from({ length: 300 }, (_, i) => ({
  id: `d${i}`,
  personId: `p${i % 37}`,
  type: i % 5 === 0 ? "request" : "person",
  status: ["pending", "approved", "denied"][i % 3],
  sortName: `name ${(i * 7919) % 300}`,
  searchKeys: [`first${i}`, `last${i % 17}`],
  tags:
    i % 4
      ? [
          { name: "a", n: i },
          { name: "b", n: i + 1 },
        ]
      : [],
  assignment:
    i % 6 === 0
      ? null
      : { role: i % 2 ? "msp-user" : "customer-user", expiresAt: i % 7 ? null : `2026-0${(i % 9) + 1}-01T00:00:00Z` },
  ...(i % 11 ? { pendingRequest: null } : {}),
  _rid: `r${String(i).padStart(5, "0")}`,
  _ts: i,
}));

const QUERIES: Array<[string, Array<{ name: string; value: unknown }>?]> = [
  ["SELECT * FROM c"],
  [
    "SELECT * FROM c WHERE c.type = 'person' AND c.assignment.role = @role ORDER BY c.sortName DESC",
    [{ name: "@role", value: "msp-user" }],
  ],
  [
    "SELECT * FROM c WHERE EXISTS(SELECT VALUE k FROM k IN c.searchKeys WHERE STARTSWITH(k, @q)) ORDER BY c.sortName",
    [{ name: "@q", value: "last1" }],
  ],
  ["SELECT VALUE COUNT(1) FROM c WHERE c.type = 'request' AND c.status = 'pending'"],
  ["SELECT c.id, t.n FROM c JOIN t IN c.tags WHERE t.name = 'b'"],
  [
    "SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.personId) AND IS_NULL(c.pendingRequest)",
    [{ name: "@ids", value: ["p1", "p2", "p3"] }],
  ],
  [
    "SELECT * FROM c WHERE NOT IS_NULL(c.assignment) AND (IS_NULL(c.assignment.expiresAt) OR c.assignment.expiresAt > @now)",
    [{ name: "@now", value: "2026-04-01" }],
  ],
];

describe("embedded Cosmos DB query speed-up (same results, linear time)", () => {
  for (const [sql, parameters] of QUERIES) {
    it(`gives the engine's own results for: ${sql}`, () => {
      const original = compileQuery(sql, false);
      const optimised = compileQuery(sql, true);
      assert.notEqual(optimised, original, "the rewrite applies");
      assert.doesNotMatch(optimised, /\[\.\.\.\$,/, "no accumulator copies are left");
      for (const maxItemCount of [undefined, 7]) {
        const options = { ...(parameters ? { parameters } : {}), ...(maxItemCount ? { maxItemCount } : {}) };
        assert.deepEqual(runCompiledQuery(optimised, docs, options), runCompiledQuery(original, docs, options));
      }
    });
  }
});
