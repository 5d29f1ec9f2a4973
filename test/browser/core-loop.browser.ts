import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { AccessRequest } from "../../src/domain/access-request.js";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { LocalStack } from "../helpers/local-stack.js";

/**
 * What a newcomer does after `npm start`, in the Agents Playground's own web UI in Chromium: the
 * requester asks for access in one window, the admin approves on the card in the other.
 */
describe("core loop in the Agents Playground UI (Chromium)", function () {
  this.timeout(120_000);
  let stack: LocalStack;
  let browser: Browser;
  let requester: Page;
  let admin: Page;

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
    // As `npm start` does: the app is in the admins channel of the admin's Playground.
    await stack.installInAdminChannel(stack.admin);
    // The Playground shows only what arrives while its page is open: the admin looks first.
    admin = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await admin.goto(stack.admin.url);
    await admin.getByText("Access approvals").first().click();
    requester = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await requester.goto(stack.requester.url);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      await screenshot(admin, `failed-${this.currentTest.title.slice(0, 40)}-admin`).catch(() => undefined);
      await screenshot(requester, `failed-${this.currentTest.title.slice(0, 40)}-requester`).catch(() => undefined);
    }
    await admin?.close();
    await requester?.close();
  });

  /** Picks an option in an Adaptive Card choice set, as a person would (open it, click the option). */
  const choose = async (page: Page, label: string, option: string) => {
    await page.getByRole("combobox", { name: label }).last().click();
    await page.getByRole("option", { name: option, exact: true }).click();
  };

  it("the requester asks in chat, the admin approves on the channel card, both see the outcome", async () => {
    await requester.getByText("Welcome to Access Desk, Adele Vance").waitFor();
    await requester
      .getByRole("textbox", { name: /Why do you need access/ })
      .pressSequentially("I handle the Contoso service desk on Mondays.");
    await screenshot(requester, "1-requester-welcome");
    await requester.getByRole("button", { name: "Request access" }).click();
    await requester.getByText("Request sent").waitFor();

    await admin.getByText("I handle the Contoso service desk on Mondays.").waitFor();
    await choose(admin, "Access expires", "7 days");
    await screenshot(admin, "2-admin-request-card");
    await admin.getByRole("button", { name: "Approve" }).click();
    await admin.getByText("Access request: Approved").waitFor();
    assert.equal(await admin.getByRole("button", { name: "Approve" }).count(), 0, "no buttons left on the card");
    await admin.getByText("Megan Bowen").first().waitFor();
    await screenshot(admin, "3-admin-card-approved");

    await requester.getByText("Your access request was approved").waitFor();
    await screenshot(requester, "4-requester-told");

    const person = (await stack.stores.people.get(stack.user("Adele Vance").aadObjectId))!.value;
    assert.equal(person.assignment?.role, "msp-user");
    assert.equal(person.assignment?.grantedBy.name, "Megan Bowen");
    const days = (Date.parse(person.assignment!.expiresAt!) - Date.parse(person.assignment!.grantedAt)) / 86_400_000;
    assert.equal(Math.round(days), 7, "the expiry picked in the card was applied");
  });

  it("the admin denies with a reason typed on the card; the requester reads it", async () => {
    await requester.getByText("Welcome to Access Desk, Adele Vance").waitFor();
    await requester.getByRole("textbox", { name: /Why do you need access/ }).pressSequentially("Billing access please");
    await requester.getByRole("button", { name: "Request access" }).click();
    await requester.getByText("Request sent").waitFor();

    await admin.getByText("Billing access please").waitFor();
    const comment = admin.getByRole("textbox", { name: /Comment to the requester/ });
    await comment.click();
    await comment.pressSequentially("Billing is handled by finance.");
    await comment.blur();
    await admin.getByRole("button", { name: "Deny" }).click();
    await admin.getByText("Access request: Denied").waitFor();

    await requester.getByText("Your access request was denied").waitFor();
    await requester.getByText("Billing is handled by finance.").waitFor();
    await screenshot(requester, "5-requester-denied");
    const [request] = (
      await stack.container.items.query<AccessRequest>("SELECT * FROM c WHERE c.type = 'request'").fetchAll()
    ).resources;
    assert.equal(request?.status, "denied");
  });
});
