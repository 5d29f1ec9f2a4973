import assert from "node:assert/strict";
import type { AuditEvent } from "./audit.js";
import { canonicalJson, chain, GENESIS, hashOf, verifyChain, type ChainedAuditEvent } from "./audit-chain.js";

const event = (n: number): AuditEvent => ({
  id: `audit-${n}`,
  personId: "p1",
  type: "audit",
  at: `2026-03-01T09:00:0${n}.000Z`,
  actor: { personId: "a", name: "Megan" },
  action: "assignment.changed",
  subject: { kind: "person", id: "p1", name: "Adele" },
  tenantId: "t1",
  before: { role: null },
  after: { role: "msp-user", tenants: ["b", "a"] },
  reason: `change ${n}`,
  correlationId: `c${n}`,
});

const build = (n: number): ChainedAuditEvent[] => {
  const out: ChainedAuditEvent[] = [];
  let head = { seq: 0, hash: GENESIS };
  for (let i = 1; i <= n; i++) {
    const e = chain(event(i), head);
    out.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return out;
};

describe("audit chain (pure)", () => {
  it("writes canonical JSON: sorted keys, no whitespace, stable", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }),
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    assert.equal(hashOf(build(1)[0]!), build(1)[0]!.hash);
  });

  it("links each event to the one before, from the genesis hash", () => {
    const events = build(3);
    assert.equal(events[0]!.prevHash, GENESIS);
    assert.equal(events[1]!.prevHash, events[0]!.hash);
    assert.deepEqual(verifyChain("p1", events, { seq: 3, hash: events[2]!.hash }), []);
  });

  it("detects an edited, a missing, a reordered and a cut-off event", () => {
    const events = build(4);
    const edited = events.map((e) => (e.seq === 2 ? { ...e, reason: "nothing to see" } : e));
    assert.deepEqual(
      verifyChain("p1", edited, { seq: 4, hash: events[3]!.hash }).map((p) => p.kind),
      ["edited"],
    );

    const missing = events.filter((e) => e.seq !== 3);
    assert.ok(verifyChain("p1", missing, { seq: 4, hash: events[3]!.hash }).some((p) => p.kind === "missing"));

    const swapped = events.map((e) => (e.seq === 2 ? { ...e, seq: 3 } : e.seq === 3 ? { ...e, seq: 2 } : e));
    const reorder = verifyChain("p1", swapped, { seq: 4, hash: events[3]!.hash });
    assert.ok(
      reorder.some((p) => p.kind === "reordered" || p.kind === "edited"),
      JSON.stringify(reorder),
    );

    const cut = events.slice(0, 3);
    assert.deepEqual(
      verifyChain("p1", cut, { seq: 4, hash: events[3]!.hash }).map((p) => p.kind),
      ["missing"],
    );
  });
});
