import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import type { Container } from "@azure/cosmos";
import type { AuditEvent } from "../../src/domain/audit.js";
import { CosmosAuditLog } from "../../src/store/cosmos-audit-log.js";
import { freshCosmos } from "../helpers/cosmos.js";

const event = (personId: string, n: number): AuditEvent => ({
  id: `audit-test-${personId}-${n}`,
  personId,
  type: "audit",
  at: new Date(Date.UTC(2026, 2, 1, 9, 0, n)).toISOString(),
  actor: { personId: "admin", name: "Megan Bowen" },
  action: "assignment.changed",
  subject: { kind: "person", id: personId, name: "Adele Vance" },
  tenantId: "msp",
  before: { role: null },
  after: { role: "msp-user" },
  reason: `change ${n}`,
  correlationId: `c-${n}`,
});

describe("tamper-evident audit log (real SDK, embedded server, npm run audit:verify)", function () {
  this.timeout(60_000);
  let container: Container;
  let log: CosmosAuditLog;
  let endpoint: string;
  let database: string;

  beforeEach(async () => {
    ({ container, endpoint, database } = await freshCosmos());
    log = new CosmosAuditLog(container);
  });

  const eventsOf = async (personId: string) =>
    (
      await container.items
        .query<AuditEvent & { seq: number; _etag: string }>({
          query: "SELECT * FROM c WHERE c.personId = @p AND c.type = 'audit'",
          parameters: [{ name: "@p", value: personId }],
        })
        .fetchAll()
    ).resources.sort((a, b) => a.seq - b.seq);
  /** Runs `npm run audit:verify`'s script against this database (asynchronously: the store runs in this process). */
  const verifyScript = () =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "--disable-warning=DEP0111", "scripts/audit-verify.ts"],
        {
          env: {
            ...process.env,
            APP_ENV: "local",
            COSMOS_ENDPOINT: endpoint,
            COSMOS_KEY: "embedded-local-key",
            COSMOS_DATABASE: database,
            ALLOWED_DIRECTORY_IDS: "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b",
            INITIAL_ADMINS: "a@contoso.example",
          },
          encoding: "utf8",
        },
        (error, stdout, stderr) =>
          resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("chains events in order, concurrently appended ones too, and stores each once however often it is appended", async () => {
    for (let i = 1; i <= 3; i++) await log.append(event("p1", i));
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(event("p1", 10 + i))));
    await log.append(event("p1", 1));
    await Promise.all([log.append(event("p1", 2)), log.append(event("p1", 2))]);
    const events = await eventsOf("p1");
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
    assert.equal(new Set(events.map((e) => e.id)).size, 13);
    assert.deepEqual((await log.verifyAll()).problems, []);
    const ok = await verifyScript();
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /1 chains, 13 events: intact/);
  });

  it("detects an edited, a deleted, a reordered and a cut-off event; the command exits 1 naming each", async () => {
    for (const chain of ["edit", "delete", "reorder", "cut"])
      for (let i = 1; i <= 4; i++) await log.append(event(chain, i));

    const [, second] = await eventsOf("edit");
    await container.item(second!.id, "edit").replace({ ...second, reason: "nothing happened here" });

    const [, , third] = await eventsOf("delete");
    await container.item(third!.id, "delete").delete();

    const r = await eventsOf("reorder");
    await container.item(r[1]!.id, "reorder").replace({ ...r[1], seq: 3 });
    await container.item(r[2]!.id, "reorder").replace({ ...r[2], seq: 2 });

    const c = await eventsOf("cut");
    await container.item(c[3]!.id, "cut").delete();

    const { problems } = await log.verifyAll();
    const kinds = (chain: string) => problems.filter((p) => p.chain === chain).map((p) => p.kind);
    assert.ok(kinds("edit").includes("edited"), JSON.stringify(problems));
    assert.ok(kinds("delete").includes("missing"));
    assert.ok(kinds("reorder").length > 0);
    assert.ok(kinds("cut").includes("missing"));

    const run = await verifyScript();
    assert.equal(run.status, 1);
    for (const chain of ["edit", "delete", "reorder", "cut"]) assert.match(run.stdout, new RegExp(`chain ${chain}\\t`));
    assert.match(run.stdout, /EDITED/);
    assert.match(run.stdout, /MISSING/);
  });
});
