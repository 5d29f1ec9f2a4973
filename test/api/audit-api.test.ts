import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import type { AuditEvent } from "../../src/domain/audit.js";
import type { Assignment, Person } from "../../src/domain/person.js";
import type { Role } from "../../src/domain/roles.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { AUDIENCE, DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { aPerson } from "../helpers/builders.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const MEGAN = "22222222-2222-4222-8222-222222222222";
const assignment = (role: Role, tenantIds: string[] | "all"): Assignment => ({
  role,
  tenantAccess: tenantIds === "all" ? { kind: "all" } : { kind: "tenants", tenantIds },
  expiresAt: null,
  grantedBy: { personId: "system", name: "Access Desk" },
  grantedAt: "2026-01-01T00:00:00.000Z",
  justification: "seed",
  requestId: null,
});

/** A CSV line split into cells (enough for the files under test: quoted cells may hold commas and quotes). */
const cells = (line: string): string[] => {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      out.push(cell);
      cell = "";
    } else cell += c;
  }
  out.push(cell);
  return out;
};

/**
 * The Audit page's API and its exports: the real app over HTTP, events produced by real actions
 * through the API, tab tokens from a test issuer.
 */
describe("Audit API and exports (who did what, and who has access and why)", function () {
  this.timeout(60_000);
  let issuer: TestTokenIssuer;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  const people: Record<string, Person> = {};
  let FAB = "";

  const token = (key: string) =>
    issuer.token(
      key === "megan"
        ? { objectId: MEGAN, directoryId: DIRECTORY }
        : { objectId: people[key]!.objectId, directoryId: DIRECTORY },
      AUDIENCE,
    );
  const get = async (path: string, key: string | null) => {
    const res = await fetch(`${app.url}${path}`, {
      headers: key ? { authorization: `Bearer ${await token(key)}` } : {},
    });
    const text = Buffer.from(await res.arrayBuffer()).toString("utf8"); // keeps a byte order mark
    const json = res.headers.get("content-type")?.includes("application/json");
    return { status: res.status, text, body: json && text ? JSON.parse(text) : null, headers: res.headers };
  };
  const act = async (key: string, personKey: string, verb: "grant" | "disable", body: unknown) => {
    const id = people[personKey]!.personId;
    const read = await get(`/api/people/${id}`, key);
    const res = await fetch(`${app.url}/api/people/${id}/${verb}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await token(key)}`,
        "content-type": "application/json",
        "if-match": read.headers.get("etag")!,
      },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const seed = async (key: string, overrides: Partial<Person>) => {
    const p = aPerson({ directoryId: DIRECTORY, ...overrides });
    await stores.people.create(p);
    people[key] = p;
  };
  const allEvents = async (): Promise<AuditEvent[]> =>
    (await container.items.query<AuditEvent>("SELECT * FROM c WHERE c.type = 'audit'").fetchAll()).resources;
  const walk = async (path: string, key: string) => {
    const seen: Array<{ id: string; at: string; tenantId: string | null; action: string }> = [];
    let continuation: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const page = await get(
        `${path}${sep}pageSize=3${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ""}`,
        key,
      );
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.items);
      continuation = page.body.continuation;
    } while (continuation);
    return seen;
  };

  before(async () => {
    issuer = await TestTokenIssuer.start();
    ({ app, stores, container } = await startApiApp(issuer));
    // Through the API, as an MSP Admin would: the app knows the tenant at once.
    const created = await fetch(`${app.url}/api/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token("megan")}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Fabrikam" }),
    });
    assert.equal(created.status, 201);
    FAB = ((await created.json()) as { tenant: { id: string } }).tenant.id;
    await seed("cara", {
      name: "Cara Customer-Admin",
      upn: "cara@fabrikam.example",
      homeTenantId: FAB,
      assignment: assignment("customer-admin", [FAB]),
    });
    await seed("ulla", { name: "Ulla MSP-User", homeTenantId: "msp", assignment: assignment("msp-user", "all") });
    await seed("fred", { name: "Fred Fabrikam", upn: "fred@fabrikam.example", homeTenantId: FAB });
    await seed("gina", { name: "Gina Fabrikam", upn: "gina@fabrikam.example", homeTenantId: FAB });
    await seed("hank", { name: "Hank Contoso", upn: "hank@contoso.example", homeTenantId: "msp" });
    await seed("iris", { name: "Iris Contoso", upn: "iris@contoso.example", homeTenantId: "msp" });
    // Real changes through the API: each leaves an audit event.
    await act("megan", "hank", "grant", {
      role: "msp-user",
      tenantAccess: "all",
      expiry: "never",
      reason: '=HYPERLINK("http://evil.example","click"), on the service desk',
    });
    await act("megan", "iris", "grant", {
      role: "msp-user",
      tenantAccess: [FAB],
      expiry: "30d",
      reason: "Fabrikam project",
    });
    await act("cara", "fred", "grant", {
      role: "customer-user",
      tenantAccess: [FAB],
      expiry: "never",
      reason: "Fabrikam staff",
    });
    await act("cara", "gina", "grant", {
      role: "customer-user",
      tenantAccess: [FAB],
      expiry: "90d",
      reason: "Temp staff",
    });
    await act("megan", "gina", "disable", { reason: "Left Fabrikam" });
    await act("megan", "iris", "disable", { reason: "Left Contoso" });
  });
  after(async () => {
    await app?.close();
    await issuer?.close();
  });

  it("MSP Admins read every event, newest first, page by page, with nothing missed or repeated", async () => {
    const stored = await allEvents();
    const seen = await walk("/api/audit", "megan");
    assert.equal(seen.length, stored.length);
    assert.equal(new Set(seen.map((e) => e.id)).size, stored.length);
    const times = seen.map((e) => e.at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(
      seen.some((e) => e.action === "person.registered" && e.tenantId === "msp"),
      "Megan's own registration",
    );
  });

  it("a Customer Admin reads only the events about their own tenant", async () => {
    const seen = await walk("/api/audit", "cara");
    const expected = (await allEvents()).filter((e) => e.tenantId === FAB);
    assert.ok(expected.length >= 3);
    assert.deepEqual(new Set(seen.map((e) => e.id)), new Set(expected.map((e) => e.id)));
    assert.ok(seen.every((e) => e.tenantId === FAB));
    // Asking for someone outside the tenant gives nothing, not their events.
    const other = await get(`/api/audit?person=${people.hank!.personId}`, "cara");
    assert.equal(other.status, 200);
    assert.equal(other.body.items.length, 0);
  });

  it("filters by action, person, name and time", async () => {
    const disabled = await get("/api/audit?action=person.disabled", "megan");
    assert.deepEqual(disabled.body.items.map((e: AuditEvent) => e.subject.name).sort(), [
      "Gina Fabrikam",
      "Iris Contoso",
    ]);
    const gina = await get(`/api/audit?person=${people.gina!.personId}`, "megan");
    assert.deepEqual(
      gina.body.items.map((e: AuditEvent) => e.action),
      ["person.disabled", "assignment.granted"],
    );
    const byCara = await get("/api/audit?who=cara%20customer", "megan");
    assert.ok(byCara.body.items.length >= 2);
    assert.ok(
      byCara.body.items.every(
        (e: AuditEvent) => /cara customer/i.test(e.actor.name) || /cara customer/i.test(e.subject.name ?? ""),
      ),
    );
    const stored = await allEvents();
    const latest = stored
      .map((e) => e.at)
      .sort()
      .at(-1)!;
    const fromLatest = await get(`/api/audit?from=${encodeURIComponent(latest)}`, "megan");
    assert.equal(fromLatest.body.items.length, stored.filter((e) => e.at >= latest).length);
    const beforeAll = await get("/api/audit?to=2000-01-01", "megan");
    assert.equal(beforeAll.body.items.length, 0);
  });

  it("refuses readers without the right and filters that make no sense, changing nothing", async () => {
    const before = await snapshot(container);
    assert.equal((await get("/api/audit", null)).status, 401);
    const byUser = await get("/api/audit", "ulla");
    assert.equal(byUser.status, 403);
    assert.match(byUser.body.message, /Only admins can read the audit log/);
    assert.equal((await get("/api/audit/export?format=csv", "ulla")).status, 403);
    assert.equal((await get("/api/reports/access?format=csv", "ulla")).status, 403);
    for (const [query, field] of [
      ["action=made.up", "action"],
      ["from=yesterday", "from"],
      ["from=2026-02-01&to=2026-01-01", "from"],
      ["pageSize=0", "pageSize"],
      ["pageSize=1000", "pageSize"],
      ["sort=at", "sort"],
      [`who=${"x".repeat(101)}`, "who"],
    ] as const) {
      const reply = await get(`/api/audit?${query}`, "megan");
      assert.equal(reply.status, 400, `${query}: ${reply.text}`);
      assert.match(reply.text, new RegExp(field));
    }
    assert.equal((await get("/api/audit/export", "megan")).status, 400, "format is required");
    assert.equal((await get("/api/audit/export?format=xlsx", "megan")).status, 400);
    assert.equal((await get("/api/audit/export?format=csv&pageSize=5", "megan")).status, 400);
    assert.equal((await get("/api/reports/access?format=pdf", "megan")).status, 400);
    assert.deepEqual(await snapshot(container), before);
  });

  it("exports the audit log as CSV a spreadsheet opens safely, and as JSON Lines with the hash chain", async () => {
    const stored = await allEvents();
    const csv = await get("/api/audit/export?format=csv", "megan");
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /^text\/csv/);
    assert.match(
      csv.headers.get("content-disposition")!,
      /attachment; filename="access-desk-audit-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    assert.ok(csv.text.startsWith("\uFEFF"), "UTF-8 byte order mark");
    const lines = csv.text.slice(1).trimEnd().split("\r\n");
    const header = cells(lines[0]!);
    assert.deepEqual(header.slice(0, 4), ["at", "action", "actorId", "actorName"]);
    assert.equal(lines.length - 1, stored.length);
    const hank = lines
      .map(cells)
      .find((row) => row[header.indexOf("subjectName")] === "Hank Contoso" && row[1] === "assignment.granted")!;
    assert.ok(hank, "Hank's grant is in the file");
    assert.equal(hank[header.indexOf("reason")]!.slice(0, 2), "'=", "a formula is neutralised");
    assert.match(hank[header.indexOf("after")]!, /"role":"msp-user"/);

    const jsonl = await get("/api/audit/export?format=jsonl&action=assignment.granted", "megan");
    assert.match(jsonl.headers.get("content-type")!, /^application\/x-ndjson/);
    const events = jsonl.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    assert.equal(events.length, stored.filter((e) => e.action === "assignment.granted").length);
    for (const e of events) {
      assert.match(e.hash!, /^[0-9a-f]{64}$/);
      assert.match(e.prevHash!, /^[0-9a-f]{64}$/);
      assert.equal(typeof e.seq, "number");
    }
    const cara = await get("/api/audit/export?format=jsonl", "cara");
    const caraEvents = cara.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    assert.ok(caraEvents.length > 0 && caraEvents.every((e) => e.tenantId === FAB));
  });

  it("reports who has access and why: every current user with role, tenant access, expiry, granted by/at and justification", async () => {
    const csv = await get("/api/reports/access?format=csv", "megan");
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-disposition")!, /access-desk-who-has-access-\d{4}-\d{2}-\d{2}\.csv/);
    const rows = csv.text.slice(1).trimEnd().split("\r\n").map(cells);
    const header = rows.shift()!;
    const byName = new Map(rows.map((r) => [r[0], Object.fromEntries(header.map((h, i) => [h, r[i]]))]));
    // Disabled people (Gina, Iris) have no access; Ulla, Cara, Fred, Hank and Megan (the initial admin) do.
    assert.deepEqual(
      rows.map((r) => r[header.indexOf("personId")]).sort(),
      [MEGAN, ...["ulla", "cara", "fred", "hank"].map((k) => people[k]!.personId)].sort(),
    );
    const fred = byName.get("Fred Fabrikam")!;
    assert.equal(fred.role, "customer-user");
    assert.equal(fred.tenantAccess, "Fabrikam");
    assert.equal(fred.grantedBy, "Cara Customer-Admin");
    assert.equal(fred.justification, "Fabrikam staff");
    assert.equal(fred.expiresAt, "");
    assert.equal(fred.homeTenant, "Fabrikam");

    const jsonl = await get("/api/reports/access?format=jsonl", "cara");
    const caraRows = jsonl.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; homeTenant: string });
    assert.deepEqual(caraRows.map((r) => r.name).sort(), ["Cara Customer-Admin", "Fred Fabrikam"]);
  });
});
