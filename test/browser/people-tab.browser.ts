import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import type { AccessRequest } from "../../src/domain/access-request.js";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { aPerson } from "../helpers/builders.js";
import { LocalStack } from "../helpers/local-stack.js";

/**
 * The People tab in Chromium, against the real server, store and Agents Playground: an admin signs in
 * (the local stand-in for Teams SSO), finds a person, changes their access, disables and re-enables
 * them, approves a request from the pending badge, and meets a concurrent edit.
 */
describe("People tab (Chromium)", function () {
  this.timeout(120_000);
  let stack: LocalStack;
  let browser: Browser;
  let tab: Page;

  before(async () => {
    stack = await LocalStack.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.freshBot();
    await stack.installInAdminChannel(stack.admin);
    await stack.stores.tenants.ensure({
      id: "fabrikam",
      name: "Fabrikam",
      kind: "customer",
      directoryId: null,
      createdAt: new Date().toISOString(),
    });
    for (let i = 0; i < 120; i++) {
      await stack.stores.people.create(
        aPerson({
          directoryId: stack.mock.tenantId,
          name: `Sample Person ${String(i).padStart(3, "0")}`,
          upn: `sample${i}@contoso.example`,
          email: null,
          homeTenantId: i % 2 ? "msp" : "fabrikam",
        }),
      );
    }
    // Adele is known from the directory (as `npm run seed` records the Playground's people) but has no access.
    const adele = stack.user("Adele Vance");
    await stack.stores.people.create(
      aPerson({
        personId: adele.aadObjectId,
        directoryId: stack.mock.tenantId,
        name: adele.name,
        upn: adele.userPrincipleName,
        email: adele.email,
        homeTenantId: "msp",
        source: "entra",
      }),
    );
    tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await tab.goto(`${stack.app!.url}/tab/`);
    await tab.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
    await tab.getByRole("table", { name: "People" }).waitFor();
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed")
      await screenshot(tab, `failed-tab-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
    await tab?.close();
  });

  /** Picks an option in a dropdown inside `scope` (the person panel), as a person would. */
  const pick = async (scope: ReturnType<Page["getByRole"]>, label: string, option: string) => {
    await scope.getByRole("combobox", { name: label }).click();
    // Single-choice lists use role "option"; lists that allow several choices use checkbox items.
    await tab.locator("[role=option], [role=menuitemcheckbox]").getByText(option, { exact: true }).click();
    if (await tab.locator("[role=menuitemcheckbox]").count()) await tab.keyboard.press("Escape");
  };
  const adele = async () => (await stack.stores.people.get(stack.user("Adele Vance").aadObjectId))!.value;

  it("finds a person, grants and changes their access, disables and re-enables them; the history shows each change", async () => {
    await screenshot(tab, "tab-1-people");
    await tab.getByRole("searchbox").fill("adele");
    await tab.getByRole("button", { name: "Open Adele Vance" }).click();
    const panel = tab.getByRole("dialog", { name: "Person: Adele Vance" });
    await panel.waitFor();

    await pick(panel, "Role", "Customer User");
    await panel.getByRole("textbox", { name: /Reason/ }).fill("Contoso service desk");
    await panel.getByRole("button", { name: "Grant access" }).click();
    await panel.getByText("Access saved.").waitFor();
    assert.equal((await adele()).assignment?.role, "customer-user");

    await pick(panel, "Role", "MSP User");
    await pick(panel, "Tenant access", "All tenants");
    await panel.getByRole("textbox", { name: /Reason/ }).fill("Moved to the MSP team");
    await panel.getByRole("button", { name: "Save access" }).click();
    await panel.getByText("Access saved.").waitFor();
    await panel.getByText("Access changed").waitFor();
    await panel.getByText("“Moved to the MSP team”").waitFor();
    await screenshot(tab, "tab-2-person-changed");
    const changed = await adele();
    assert.equal(changed.assignment?.role, "msp-user");
    assert.equal(changed.assignment?.grantedBy.name, "Megan Bowen");

    await panel.getByRole("textbox", { name: /Reason/ }).fill("Left Fabrikam");
    await panel.getByRole("button", { name: "Disable account" }).click();
    await panel.getByText("Disabled.").waitFor();
    assert.equal((await adele()).enabled, false);
    await panel.getByRole("textbox", { name: /Reason/ }).fill("Back from leave");
    await panel.getByRole("button", { name: "Enable account" }).click();
    await panel.getByText("Enabled.").waitFor();
    assert.equal((await adele()).enabled, true);
    const history = panel.getByRole("region", { name: "History" });
    for (const entry of ["Access granted", "Access changed", "Disabled", "Enabled"]) {
      await history.getByText(entry, { exact: true }).first().waitFor();
    }

    // Adele asks the bot for her status in her chat: it reads the same store.
    const from = stack.requester.mark();
    await stack.requester.sendMessage(stack.requesterChatId, stack.user("Adele Vance").id, "status");
    const status = await stack.requester.waitFor(
      (e) => e.actionConversationId === stack.requesterChatId && e.action === "createMessage",
      { from },
    );
    const shown = JSON.stringify(status.message);
    assert.match(shown, /Role","value":"MSP User/);
    assert.match(shown, /Tenant access","value":"All tenants/);
  });

  it("the Audit page shows who did what and why, filters it, and downloads the log and the access report", async () => {
    await tab.getByRole("searchbox").fill("adele");
    await tab.getByRole("button", { name: "Open Adele Vance" }).click();
    const panel = tab.getByRole("dialog", { name: "Person: Adele Vance" });
    await pick(panel, "Role", "Customer User");
    await panel.getByRole("textbox", { name: /Reason/ }).fill("Covers the Fabrikam service desk");
    await panel.getByRole("button", { name: "Grant access" }).click();
    await panel.getByText("Access saved.").waitFor();
    await panel.getByRole("button", { name: "Close" }).click();

    await tab.getByRole("tab", { name: "Audit" }).click();
    const events = tab.getByRole("table", { name: "Audit events" });
    const row = events.getByRole("row").filter({ hasText: "Covers the Fabrikam service desk" });
    await row.waitFor();
    assert.match(await row.innerText(), /Access granted[\s\S]*Megan Bowen[\s\S]*Adele Vance/);
    await screenshot(tab, "tab-4-audit");

    await tab.getByRole("combobox", { name: "Action" }).click();
    await tab.getByRole("option", { name: "Registered" }).click();
    await events.getByRole("row").filter({ hasText: "Registered" }).first().waitFor();
    await events.getByRole("row").filter({ hasText: "Access granted" }).waitFor({ state: "detached" });

    const [file] = await Promise.all([
      tab.waitForEvent("download"),
      tab.getByRole("button", { name: "Events (CSV)" }).click(),
    ]);
    assert.match(file.suggestedFilename(), /^access-desk-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await file.path())!, "utf8");
    const lines = csv.trimEnd().split("\r\n");
    assert.ok(lines.length >= 2, "a header and the filtered events");
    assert.ok(
      lines.slice(1).every((l) => l.includes("person.registered")),
      "only the filtered action",
    );

    const [report] = await Promise.all([
      tab.waitForEvent("download"),
      tab.getByRole("button", { name: "Access report (CSV)" }).click(),
    ]);
    const text = await readFile((await report.path())!, "utf8");
    assert.match(text, /Adele Vance,[^\r\n]*customer-user[^\r\n]*Covers the Fabrikam service desk/);
    await tab.getByText(/Downloaded access-desk-who-has-access-/).waitFor();
  });

  it("starts an access review, revokes one user and keeps another; the admins channel gets the tenant's card", async () => {
    for (const [name, justification] of [
      ["Rita Reviewed", "Night shift technician"],
      ["Kurt Kept", "Fabrikam account manager"],
    ] as const) {
      await stack.stores.people.create(
        aPerson({
          directoryId: stack.mock.tenantId,
          name,
          homeTenantId: "msp",
          assignment: {
            role: "msp-user",
            tenantAccess: { kind: "all" },
            expiresAt: null,
            grantedBy: { personId: "system", name: "Access Desk" },
            grantedAt: "2026-06-01T00:00:00.000Z",
            justification,
            requestId: null,
          },
        }),
      );
    }
    const from = stack.admin.mark();
    await tab.getByRole("tab", { name: "Reviews" }).click();
    await tab.getByText("No access review yet.").waitFor();
    await tab.getByRole("button", { name: "Start access review" }).click();
    const reviews = tab.getByRole("table", { name: "Reviews" });
    await reviews.getByRole("button", { name: "Open" }).click();
    const users = tab.getByRole("table", { name: "Users under review" });
    await users.getByRole("row").filter({ hasText: "Night shift technician" }).waitFor();
    await screenshot(tab, "tab-7-review");

    await users.getByRole("button", { name: "Revoke Rita Reviewed" }).click();
    await tab.getByText("Rita Reviewed: access revoked.").waitFor();
    await users.getByRole("button", { name: "Keep Kurt Kept" }).click();
    await tab.getByText("Kurt Kept: kept.").waitFor();
    const byName = async (name: string) =>
      (
        await stack.stores.people.search(
          { now: new Date().toISOString(), search: name.toLowerCase() },
          { field: "name", order: "asc" },
          { pageSize: 5 },
        )
      ).items[0]!;
    assert.equal((await byName("Rita Reviewed")).assignment, null);
    assert.equal((await byName("Kurt Kept")).assignment?.role, "msp-user");
    await tab.getByRole("switch", { name: "Only users left to review" }).click();
    await users.getByRole("row").filter({ hasText: "Revoked by Megan Bowen" }).waitFor();

    // The review card for the MSP's own tenant reached the admins channel in the Playground.
    await stack.admin.waitFor(
      (e) => e.actionConversationId === stack.adminChannelId && /Access review: /.test(JSON.stringify(e.message)),
      { from, what: "the review card in the admins channel" },
    );
  });

  it("approves a pending request from the badge; the card in the admins channel shows the outcome", async () => {
    const channel = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    await channel.goto(stack.admin.url);
    await channel.getByText("Access approvals").first().click();
    const from = stack.requester.mark();
    await stack.requester.sendMessage(
      stack.requesterChatId,
      stack.user("Adele Vance").id,
      "request access I run the Contoso help desk",
    );
    await stack.requester.waitFor(
      (e) => e.actionConversationId === stack.requesterChatId && JSON.stringify(e.message).includes("Request sent"),
      { from },
    );
    await channel.getByText("I run the Contoso help desk").waitFor();

    await tab.reload();
    const badge = tab.getByRole("button", { name: "Pending requests: 1" });
    await badge.waitFor();
    await screenshot(tab, "tab-3-pending-badge");
    await badge.click();
    const drawer = tab.getByRole("dialog", { name: "Pending requests" });
    await drawer.getByText("I run the Contoso help desk").waitFor();
    await screenshot(tab, "tab-4-pending-list");
    await drawer.getByRole("button", { name: "Approve" }).click();
    await drawer.getByText("Approved Adele Vance as MSP User.").waitFor();

    await channel.getByText("Access request: Approved").waitFor();
    await screenshot(channel, "tab-5-card-updated");
    const [request] = (
      await stack.container.items.query<AccessRequest>("SELECT * FROM c WHERE c.type = 'request'").fetchAll()
    ).resources;
    assert.equal(request?.status, "approved");
    assert.equal(request?.decision?.by.name, "Megan Bowen");
    await channel.close();
  });

  it("tells the admin when someone else changed the person meanwhile, and reloads on request", async () => {
    await tab.getByRole("searchbox").fill("adele");
    await tab.getByRole("button", { name: "Open Adele Vance" }).click();
    const panel = tab.getByRole("dialog", { name: "Person: Adele Vance" });
    await panel.getByRole("button", { name: "Grant access" }).waitFor();

    // Another admin changes Adele in the meantime (through the same API, as Alex Wilber).
    const { token } = (await (
      await fetch(`${stack.app!.url}/dev/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ objectId: stack.user("Alex Wilber").aadObjectId }),
      })
    ).json()) as { token: string };
    const id = (await adele()).personId;
    const read = await fetch(`${stack.app!.url}/api/people/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const other = await fetch(`${stack.app!.url}/api/people/${id}/disable`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "if-match": read.headers.get("etag")!,
      },
      body: JSON.stringify({ reason: "Done by Alex" }),
    });
    assert.equal(other.status, 200);

    await panel.getByRole("textbox", { name: /Reason/ }).fill("Megan's change");
    await panel.getByRole("button", { name: "Grant access" }).click();
    await panel.getByText(/Someone else changed this person/).waitFor();
    await screenshot(tab, "tab-6-conflict");
    assert.equal((await adele()).assignment, null, "Megan's stale change was not applied");
    await panel.getByRole("button", { name: "Reload" }).click();
    await panel.getByText("Disabled", { exact: true }).first().waitFor();
    await panel.getByText("“Done by Alex”").waitFor();
  });
});
