import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import { AlreadyExists, PreconditionFailed } from "../../src/services/ports.js";
import { createCosmosStores, type CosmosStores } from "../../src/store/cosmos-store.js";
import { freshCosmos } from "../helpers/cosmos.js";
import { aPerson, aRequest } from "../helpers/builders.js";

describe("Cosmos DB stores (real SDK, embedded server)", () => {
  let stores: CosmosStores;
  let container: Container;

  beforeEach(async () => {
    ({ container } = await freshCosmos());
    stores = createCosmosStores(container);
  });

  describe("people", () => {
    it("replaces with the current ETag and refuses a stale one, leaving the stored person unchanged", async () => {
      const created = await stores.people.create(aPerson({ name: "Adele Vance" }));
      const renamed = await stores.people.replace({ ...created.value, name: "Adele V." }, created.etag);
      assert.notEqual(renamed.etag, created.etag);

      await assert.rejects(
        stores.people.replace({ ...created.value, name: "Stale writer" }, created.etag),
        PreconditionFailed,
      );
      const now = await stores.people.get(created.value.personId);
      assert.equal(now?.value.name, "Adele V.");
      assert.equal(now?.etag, renamed.etag);
    });

    it("refuses a second person with the same id", async () => {
      const person = aPerson();
      await stores.people.create(person);
      await assert.rejects(stores.people.create({ ...person, name: "Twin" }), AlreadyExists);
      assert.equal((await stores.people.get(person.personId))?.value.name, person.name);
    });

    it("returns undefined for an unknown person and strips system properties from stored ones", async () => {
      assert.equal(await stores.people.get("00000000-0000-4000-8000-000000000000"), undefined);
      const person = aPerson();
      await stores.people.create(person);
      const read = await stores.people.get(person.personId);
      assert.deepEqual(read?.value, person);
    });
  });

  describe("requests", () => {
    it("pages pending requests oldest first with continuation tokens, across partitions", async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const person = aPerson();
        const request = aRequest(person, { createdAt: `2026-02-0${i + 1}T08:00:00.000Z` });
        await stores.requests.create(request);
        created.push(request.id);
      }
      const other = aPerson();
      await stores.requests.create(aRequest(other, { status: "approved" }));

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let continuation: string | null = null;
      do {
        const page = await stores.requests.listPending("all", { pageSize: 3, continuation });
        pageSizes.push(page.items.length);
        seen.push(...page.items.map((r) => r.id));
        continuation = page.continuation;
      } while (continuation);

      assert.deepEqual(seen, created, "every pending request once, oldest first, none approved");
      assert.deepEqual(pageSizes, [3, 3, 1]);
    });

    it("limits pending requests to the requesters of the given tenants", async () => {
      const a = aRequest(aPerson({ homeTenantId: "fabrikam" }));
      const b = aRequest(aPerson({ homeTenantId: "msp" }));
      await stores.requests.create(a);
      await stores.requests.create(b);
      const page = await stores.requests.listPending({ tenantIds: ["fabrikam"] }, { pageSize: 10 });
      assert.deepEqual(
        page.items.map((r) => r.id),
        [a.id],
      );
    });

    it("commits a decision only with the ETag it read: a second writer gets PreconditionFailed", async () => {
      const request = aRequest(aPerson());
      const first = await stores.requests.create(request);
      await stores.requests.replace({ ...request, status: "approved" }, first.etag);
      await assert.rejects(stores.requests.replace({ ...request, status: "denied" }, first.etag), PreconditionFailed);
      assert.equal((await stores.requests.get(request.personId, request.id))?.value.status, "approved");
    });

    it("records the card location and follow-ups by patch, and finds unannounced and unfinished requests", async () => {
      const waiting = aRequest(aPerson());
      const cancelled = aRequest(aPerson(), { status: "cancelled" });
      const decided = aRequest(aPerson(), {
        status: "approved",
        unfinished: true,
        followUps: { person: false, audit: false, card: false, requester: false },
        leases: { announce: null, card: null, requester: null },
        createdAt: "2026-01-02T00:00:00.000Z",
      });
      await stores.requests.create(cancelled);
      await stores.requests.create(waiting);
      await stores.requests.create(decided);

      assert.deepEqual(
        (await stores.requests.listUnannounced(10)).map((r) => r.id),
        [waiting.id, decided.id],
        "requests without a card, oldest first, decided ones too (their card shows the outcome), never cancelled ones",
      );
      assert.deepEqual(
        (await stores.requests.listUnfinished(10)).map((r) => r.id),
        [decided.id],
      );

      const card = {
        activityId: "1700000000000",
        address: {
          serviceUrl: "http://127.0.0.1:1/_connector",
          conversationId: "channel-1",
          conversationType: "channel" as const,
          directoryId: waiting.requester.directoryId,
          botId: "bot",
          userId: null,
        },
      };
      await stores.requests.setCard(waiting.personId, waiting.id, card);
      assert.deepEqual((await stores.requests.get(waiting.personId, waiting.id))?.value.card, card);
      assert.deepEqual(
        (await stores.requests.listUnannounced(10)).map((r) => r.id),
        [decided.id],
      );

      await stores.requests.markFollowUps(decided.personId, decided.id, { person: true, audit: true }, false);
      assert.deepEqual((await stores.requests.get(decided.personId, decided.id))?.value.followUps, {
        person: true,
        audit: true,
        card: false,
        requester: false,
      });
      await stores.requests.markFollowUps(decided.personId, decided.id, { card: true, requester: true }, true);
      assert.deepEqual(await stores.requests.listUnfinished(10), []);
    });

    it("leases a Teams-facing follow-up to one sender at a time, again after the lease lapses, never once done", async () => {
      const decided = aRequest(aPerson(), {
        status: "approved",
        unfinished: true,
        followUps: { person: true, audit: true, card: false, requester: false },
        leases: { announce: null, card: null, requester: null },
      });
      await stores.requests.create(decided);
      const claim = (nowMs: number) =>
        stores.requests.claimFollowUp(decided.personId, decided.id, "requester", nowMs, 60_000);
      const t0 = Date.parse("2026-03-01T09:00:00Z");
      const racers = await Promise.all([claim(t0), claim(t0), claim(t0), claim(t0)]);
      assert.equal(racers.filter(Boolean).length, 1, "one of four concurrent senders gets the lease");
      assert.equal(await claim(t0 + 30_000), false, "a fresh lease is respected");
      assert.equal(await claim(t0 + 61_000), true, "a lapsed lease (a sender that crashed) can be taken over");
      await stores.requests.markFollowUps(decided.personId, decided.id, { requester: true }, false);
      assert.equal(await claim(t0 + 10 * 60_000), false, "a done step is never sent again");
      assert.equal(
        await stores.requests.claimFollowUp(decided.personId, decided.id, "card", t0, 60_000),
        true,
        "steps lease independently",
      );
    });
  });

  describe("audit log", () => {
    it("stores an event once however often it is appended", async () => {
      const person = aPerson();
      const event = {
        id: "audit-request.approved-x",
        personId: person.personId,
        type: "audit" as const,
        at: "2026-01-01T00:00:00.000Z",
        actor: { personId: "a", name: "Admin" },
        action: "request.approved" as const,
        subject: { kind: "person" as const, id: person.personId, name: null },
        tenantId: null,
        before: null,
        after: { role: "msp-user" },
        reason: null,
        correlationId: "x",
      };
      await stores.audit.append(event);
      await stores.audit.append({ ...event, reason: "a replay must not overwrite" });
      const events = await stores.audit.listForPerson(person.personId, 10);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.reason, null);
    });
  });

  describe("tenants and settings", () => {
    it("creates a tenant once and keeps the first version", async () => {
      const tenant = {
        id: "msp",
        name: "Contoso IT",
        kind: "msp" as const,
        directoryId: "d",
        createdAt: "2026-01-01T00:00:00.000Z",
      };
      await stores.tenants.ensure(tenant);
      await stores.tenants.ensure({ ...tenant, name: "Renamed at restart" });
      assert.deepEqual(await createCosmosStores(container).tenants.list(), [tenant]);
    });

    it("stores the admins channel for every instance", async () => {
      assert.equal(await stores.settings.getAdminChannel(), undefined);
      const channel = {
        channelId: "c1",
        teamId: "t1",
        address: null,
        source: "config" as const,
        setBy: null,
        setAt: "2026-01-01T00:00:00.000Z",
      };
      await stores.settings.saveAdminChannel(channel);
      assert.deepEqual(await createCosmosStores(container).settings.getAdminChannel(), channel);
    });
  });
});
