import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import type { AccessReview, ReviewItem } from "../../src/domain/access-review.js";
import type { Assignment, Person } from "../../src/domain/person.js";
import type { Role } from "../../src/domain/roles.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { parseWithSdk } from "../helpers/adaptive-cards.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { AUDIENCE, DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { aPerson } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { ADMIN_CHANNEL, auditIn, person } from "../helpers/reliability.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const DAY = 86_400_000;

class TestClock {
  constructor(private at: number) {}
  now = () => new Date(this.at);
  advance(ms: number) {
    this.at += ms;
  }
}

const grant = (role: Role, tenantIds: string[] | "all", justification: string): Assignment => ({
  role,
  tenantAccess: tenantIds === "all" ? { kind: "all" } : { kind: "tenants", tenantIds },
  expiresAt: null,
  grantedBy: { personId: "system", name: "Access Desk" },
  grantedAt: "2026-06-01T00:00:00.000Z",
  justification,
  requestId: null,
});

/**
 * Access reviews: started on demand in Teams or by the schedule, decided on the admins-channel cards
 * and through the tab's API by the reviewers of each tenant, closed at the deadline with the default.
 */
describe("governance: access reviews", function () {
  this.timeout(120_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  let clock: TestClock;
  let FAB = "";
  const people: Record<string, Person> = {};
  const admin = person(1, "b");
  const admin2 = person(2, "b");
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: who });
  const textOf = (s: { body: unknown }) => JSON.stringify(s.body);

  const token = (key: string) => issuer.token({ objectId: people[key]!.objectId, directoryId: DIRECTORY }, AUDIENCE);
  const api = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(key)}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      body: res.headers.get("content-type")?.includes("application/json") && text ? JSON.parse(text) : null,
    };
  };
  const seed = async (key: string, p: Partial<Person>) => {
    const created = aPerson({ directoryId: DIRECTORY, ...p });
    await stores.people.create(created);
    people[key] = created;
  };
  const start = async (env: Record<string, string> = {}) => {
    ({ app, stores, container } = await startApiApp(
      issuer,
      { ADMIN_CHANNEL_ID: ADMIN_CHANNEL, GOVERNANCE_EVERY_SECONDS: "86400", API_LIMIT_PER_MINUTE: "100000", ...env },
      { clock },
    ));
    await seed("admin", {
      personId: admin.aadObjectId,
      objectId: admin.aadObjectId,
      name: "Megan Admin",
      homeTenantId: "msp",
      assignment: grant("msp-admin", "all", "Runs the service desk"),
    });
    await seed("admin2", {
      personId: admin2.aadObjectId,
      objectId: admin2.aadObjectId,
      name: "Nestor Admin",
      homeTenantId: "msp",
      assignment: grant("msp-admin", "all", "Second admin"),
    });
    const created = await api("admin", "POST", "/api/tenants", { name: "Fabrikam" });
    assert.equal(created.status, 201);
    FAB = created.body.tenant.id;
    await seed("cara", {
      name: "Cara Fabrikam-Admin",
      homeTenantId: FAB,
      assignment: grant("customer-admin", [FAB], "Fabrikam IT lead"),
    });
    await seed("fred", {
      name: "Fred Fabrikam",
      homeTenantId: FAB,
      assignment: grant("customer-user", [FAB], "Fabrikam staff"),
    });
    await seed("gina", {
      name: "Gina Fabrikam",
      homeTenantId: FAB,
      assignment: grant("customer-user", [FAB], "Summer intern"),
    });
    await seed("hank", {
      name: "Hank Contoso",
      homeTenantId: "msp",
      assignment: grant("msp-user", "all", "Technician"),
    });
    await seed("nora", { name: "Nora No-Access", homeTenantId: FAB });
    await seed("dora", {
      name: "Dora Disabled",
      homeTenantId: "msp",
      enabled: false,
      assignment: grant("msp-user", "all", "Left"),
    });
    // The admin has chatted with the bot: Teams can be reached.
    await postActivity(app.url, activities.message(from(admin), "status"));
    await app.idle();
  };
  const items = async (reviewId: string) =>
    (
      await container.items
        .query<ReviewItem>({
          query: "SELECT * FROM c WHERE c.type = 'review-item' AND c.reviewId = @r",
          parameters: [{ name: "@r", value: reviewId }],
        })
        .fetchAll()
    ).resources;
  const reviewOf = async () =>
    (await container.items.query<AccessReview>("SELECT * FROM c WHERE c.type = 'review'").fetchAll()).resources;
  const personOf = async (key: string) => (await stores.people.get(people[key]!.personId))!.value;
  const click = async (who: Who, verb: "reviewKeep" | "reviewRevoke", data: unknown) =>
    (await postActivity(app.url, activities.invoke(from(who), verb, data, "channel"))).body as {
      value: Record<string, unknown>;
    };

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });
  beforeEach(() => {
    sink.sent.length = 0;
    clock = new TestClock(Date.parse("2026-12-07T08:00:00.000Z"));
  });
  afterEach(async () => {
    await app?.close();
  });

  it("an MSP Admin starts a review in Teams; each tenant's reviewers keep or revoke on the card and in the tab; the deadline applies the default", async () => {
    await start();
    const reply = await postActivity(app.url, activities.message(from(admin), "start access review"));
    assert.equal(reply.status, 200);
    await app.idle();
    assert.ok(sink.messagesTo(`a:personal-${admin.id}`).some((s) => /Access review started/.test(textOf(s))));
    const [review] = await reviewOf();
    assert.equal(review!.status, "open");
    assert.equal(review!.deadline, new Date(clock.now().getTime() + 7 * DAY).toISOString());
    const under = await items(review!.id);
    assert.deepEqual(
      under.map((i) => i.name).sort(),
      ["", "Cara Fabrikam-Admin", "Fred Fabrikam", "Gina Fabrikam", "Hank Contoso", "Megan Admin", "Nestor Admin"],
      "every current user (the initial admin has no name yet), and nobody without access or disabled",
    );
    assert.equal((await auditIn(container, "review.started")).length, 1);

    // One card per tenant in the admins channel, each parsed by the Adaptive Cards SDK.
    const cards = sink.cardPosts(ADMIN_CHANNEL).filter((s) => /Access review: /.test(textOf(s)));
    assert.equal(cards.length, 2);
    const fabCard = cards.find((s) => /Access review: Fabrikam/.test(textOf(s)))!;
    const card = (fabCard.body.attachments as Array<{ content: unknown }>)[0]!.content;
    parseWithSdk(card);
    assert.match(textOf(fabCard), /Reviewed","value":"0 of 3"/);
    assert.match(textOf(fabCard), /Summer intern/, "shows why each user has access");
    // Asking again while it is open starts nothing.
    await postActivity(app.url, activities.message(from(admin), "start access review"));
    assert.equal((await reviewOf()).length, 1);

    // Revoke on the card: access goes at once, on record; the answer is the card with the next users.
    const gina = people.gina!.personId;
    const answer = await click(admin, "reviewRevoke", { reviewId: review!.id, personId: gina });
    parseWithSdk(answer.value);
    assert.match(JSON.stringify(answer.value), /Reviewed","value":"1 of 3"/);
    assert.doesNotMatch(JSON.stringify(answer.value), /Gina Fabrikam/);
    assert.equal((await personOf("gina")).assignment, null);
    const revoked = await auditIn(container, "review.revoked");
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0]!.actor.name, "Megan Admin");

    // The Customer Admin reviews her own tenant in the tab, and only that.
    const caraView = await api("cara", "GET", `/api/reviews/${review!.id}`);
    assert.equal(caraView.status, 200);
    assert.deepEqual(caraView.body.items.map((i: ReviewItem) => i.name).sort(), [
      "Cara Fabrikam-Admin",
      "Fred Fabrikam",
      "Gina Fabrikam",
    ]);
    const keepFred = await api("cara", "POST", `/api/reviews/${review!.id}/items/${people.fred!.personId}`, {
      outcome: "keep",
    });
    assert.equal(keepFred.status, 200, keepFred.text);
    assert.equal((await auditIn(container, "review.kept")).length, 1);
    const before = await snapshot(container);
    for (const [key, expected] of [
      ["hank", 403], // another tenant
      ["cara", 403], // herself
    ] as const) {
      const r = await api("cara", "POST", `/api/reviews/${review!.id}/items/${people[key]!.personId}`, {
        outcome: "revoke",
      });
      assert.equal(r.status, expected, `${key}: ${r.text}`);
    }
    const twice = await api("admin2", "POST", `/api/reviews/${review!.id}/items/${gina}`, { outcome: "keep" });
    assert.equal(twice.status, 409);
    assert.match(twice.body.message, /Already revoked by Megan Admin/);
    assert.equal(
      (await api("admin", "POST", `/api/reviews/${review!.id}/items/${people.nora!.personId}`, { outcome: "keep" }))
        .status,
      404,
    );
    assert.equal(
      (await api("admin", "POST", `/api/reviews/${review!.id}/items/${gina}`, { outcome: "maybe" })).status,
      400,
    );
    assert.equal((await api("hank", "GET", `/api/reviews/${review!.id}`)).status, 403);
    const tampered = await click(admin, "reviewKeep", { reviewId: review!.id, personId: gina, role: "msp-admin" });
    assert.match(JSON.stringify(tampered), /not valid/);
    assert.deepEqual(await snapshot(container), before, "refusals change nothing");

    // The deadline passes: the rest are kept (the default), the results are recorded, the cards say so.
    clock.advance(7 * DAY + 60_000);
    const run = await app.services.runGovernance();
    await app.idle();
    assert.equal(run.reviewsClosed, 1);
    const [closed] = await reviewOf();
    assert.equal(closed!.status, "closed");
    assert.deepEqual(closed!.results, { kept: 6, revoked: 1, byDefault: 5, superseded: 0 });
    assert.equal((await auditIn(container, "review.completed")).length, 1);
    assert.equal((await auditIn(container, "review.kept")).length, 6);
    assert.equal((await personOf("hank")).assignment?.role, "msp-user");
    const updates = sink.cardUpdates(ADMIN_CHANNEL).filter((s) => /Review closed/.test(textOf(s)));
    assert.equal(updates.length, 2, "both tenants' cards show the results");
    assert.equal((await app.services.runGovernance()).reviewsClosed, 0, "closing is done once");

    const late = await api("admin", "POST", `/api/reviews/${review!.id}/items/${people.hank!.personId}`, {
      outcome: "revoke",
    });
    assert.equal(late.status, 409);
    assert.match(late.body.message, /closed/);

    // The results, exported.
    const csv = await api("admin", "GET", `/api/reviews/${review!.id}/export?format=csv`);
    assert.equal(csv.status, 200);
    const rows = csv.text
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    assert.equal(rows.length, 1 + 7);
    assert.match(
      rows.find((r) => r.startsWith("Gina Fabrikam"))!,
      /,revoke,Megan Admin,[^,]+,false,/,
    );
    assert.match(
      rows.find((r) => r.startsWith("Hank Contoso"))!,
      /,keep,Access Desk,[^,]+,true,/,
    );
    const caraCsv = await api("cara", "GET", `/api/reviews/${review!.id}/export?format=jsonl`);
    assert.equal(caraCsv.text.trimEnd().split("\n").length, 3, "a Customer Admin exports her own tenant's results");
  });

  it("the schedule starts a review every N days; with the default revoke, undecided users lose access, and changed grants are left alone", async () => {
    await start({ ACCESS_REVIEW_EVERY_DAYS: "30", ACCESS_REVIEW_DAYS: "3", ACCESS_REVIEW_DEFAULT: "revoke" });
    clock.advance(29 * DAY);
    assert.equal((await app.services.runGovernance()).reviewStarted, false, "not before 30 days");
    clock.advance(DAY);
    assert.equal((await app.services.runGovernance()).reviewStarted, true);
    assert.equal((await app.services.runGovernance()).reviewStarted, false, "one at a time");
    await app.idle();
    const [review] = await reviewOf();
    assert.equal(review!.startedBy.name, "Access Desk");
    assert.equal(review!.defaultOutcome, "revoke");

    // Fred's access is changed in the tab during the review: his item is no longer the grant under review.
    const fred = people.fred!.personId;
    const read = await fetch(`${app.url}/api/people/${fred}`, {
      headers: { authorization: `Bearer ${await token("admin")}` },
    });
    const changed = await fetch(`${app.url}/api/people/${fred}/assignment`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${await token("admin")}`,
        "content-type": "application/json",
        "if-match": read.headers.get("etag")!,
      },
      body: JSON.stringify({ role: "customer-user", tenantAccess: [FAB], expiry: "30d", reason: "Extended contract" }),
    });
    assert.equal(changed.status, 200);
    // Nestor keeps Megan; nobody reviews the others.
    assert.equal(
      (await api("admin2", "POST", `/api/reviews/${review!.id}/items/${people.admin!.personId}`, { outcome: "keep" }))
        .status,
      200,
    );

    clock.advance(3 * DAY);
    assert.equal((await app.services.runGovernance()).reviewsClosed, 1);
    await app.idle();
    const [closed] = await reviewOf();
    assert.deepEqual(closed!.results, { kept: 1, revoked: 5, byDefault: 5, superseded: 1 });
    for (const key of ["cara", "gina", "hank", "admin2"]) assert.equal((await personOf(key)).assignment, null, key);
    assert.equal((await personOf("admin")).assignment?.role, "msp-admin");
    assert.equal(
      (await personOf("fred")).assignment?.justification,
      "Extended contract",
      "a changed grant is not revoked",
    );
    const defaults = await auditIn(container, "review.revoked");
    assert.equal(defaults.length, 5, "Cara, Gina, Hank, Nestor and the initial admin");
    assert.ok(
      defaults.every((e) => e.actor.personId === "system" && /not reviewed by the deadline/.test(e.reason ?? "")),
    );
    assert.equal((await app.services.runGovernance()).reviewStarted, false, "the next one is 30 days after this one");
  });
});
