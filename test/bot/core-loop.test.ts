import assert from "node:assert/strict";
import type { AccessRequest } from "../../src/domain/access-request.js";
import type { AuditEvent } from "../../src/domain/audit.js";
import { parseWithSdk } from "../helpers/adaptive-cards.js";
import { LocalStack } from "../helpers/local-stack.js";
import { cardOf, cardText, type InvokeAnswer, type StreamEvent } from "../helpers/playground-client.js";

/**
 * The core loop end to end: the real bot behind restify, the embedded Cosmos DB server through the
 * real SDK, and the real Agents Playground as the Teams client, driven as different mock users.
 */
describe("core loop: request in chat, decide on the admins-channel card (end to end)", function () {
  this.timeout(60_000);
  let stack: LocalStack;
  const seenCards: unknown[] = [];

  const adele = () => stack.user("Adele Vance");
  const megan = () => stack.user("Megan Bowen");

  before(async function () {
    this.timeout(120_000);
    stack = await LocalStack.start();
  });
  after(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.freshBot();
    await stack.installInAdminChannel();
  });
  afterEach(() => {
    // Every card the bot sent in this test, parsed by the Adaptive Cards SDK.
    for (const e of [...stack.requester.events, ...stack.admin.events]) {
      const card = cardOf(e);
      if (card && !seenCards.includes(card)) {
        seenCards.push(card);
        parseWithSdk(card);
      }
    }
  });

  const inChannel = (e: StreamEvent) => e.actionConversationId === stack.adminChannelId;
  const inChat = (chatId: string) => (e: StreamEvent) =>
    e.actionConversationId === chatId && e.action === "createMessage";
  const showing = (fragment: string | RegExp) => (e: StreamEvent) => {
    const text = cardText(cardOf(e)) || e.message.text || "";
    return typeof fragment === "string" ? text.includes(fragment) : fragment.test(text);
  };
  const answerText = (a: InvokeAnswer) =>
    a.body.type === "application/vnd.microsoft.card.adaptive" ? cardText(a.body.value) : JSON.stringify(a.body);

  /** Adele says hello, fills in the welcome card's form and presses "Request access". */
  const requestAccess = async (justification: string, wishedRole?: string) => {
    const from = stack.requester.mark();
    await stack.requester.sendMessage(stack.requesterChatId, adele().id, "hello");
    const welcome = await stack.requester.waitFor(inChat(stack.requesterChatId), { from, what: "the welcome card" });
    const answer = await stack.requester.invoke({
      fromId: adele().id,
      conversationId: stack.requesterChatId,
      replyToId: welcome.message.messageId,
      verb: "submitRequest",
      data: { justification, ...(wishedRole ? { wishedRole } : {}) },
    });
    return { welcome, answer, from };
  };

  /** Waits for the request card in the admins channel. */
  const requestCardPosted = (from: number) =>
    stack.requester.waitFor((e) => inChannel(e) && e.action === "createMessage" && showing("Access request")(e), {
      from,
      what: "the request card in the admins channel",
    });

  /** Clicks a button on a channel card; the answer card is parsed by the Adaptive Cards SDK. */
  const click = async (
    card: StreamEvent,
    fromId: string,
    verb: "approveRequest" | "denyRequest",
    data: Record<string, unknown>,
  ) => {
    const answer = await stack.requester.invoke({
      fromId,
      conversationId: card.message.postConversationId ?? stack.adminChannelId,
      replyToId: card.message.messageId,
      verb,
      data,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.type, "application/vnd.microsoft.card.adaptive");
    parseWithSdk(answer.body.value);
    return answer;
  };

  /** Waits until the bot has nothing left to write (background follow-ups done), then snapshots the store. */
  const quietSnapshot = async () => {
    await stack.requester.settle(() => true, { quietMs: 500 });
    return stack.snapshot();
  };

  const requestIdOf = (card: StreamEvent) => {
    const actions = (cardOf(card) as { actions?: Array<{ data?: { requestId?: string } }> }).actions ?? [];
    return actions[0]!.data!.requestId!;
  };

  const requestsOf = (personId: string) =>
    queryAll<AccessRequest>(`SELECT * FROM c WHERE c.type = 'request' AND c.personId = '${personId}'`);
  const auditOf = async (personId: string) =>
    queryAll<AuditEvent>(`SELECT * FROM c WHERE c.type = 'audit' AND c.personId = '${personId}'`);
  const queryAll = async <T>(query: string): Promise<T[]> => {
    const { resources } = await stack.container.items.query<T>(query).fetchAll();
    return resources;
  };

  it("greets a new person with who they are and a request form, and stores nothing until they ask", async () => {
    const from = stack.requester.mark();
    await stack.requester.install(stack.requesterChatId);
    const welcome = await stack.requester.waitFor(inChat(stack.requesterChatId), { from, what: "the welcome card" });
    const text = cardText(cardOf(welcome));
    assert.match(text, /Welcome to Access Desk, Adele Vance/);
    assert.match(text, /UPN: adelev@contoso\\\.example|UPN: adelev@contoso.example/);
    assert.ok(text.includes(adele().aadObjectId), "shows the Entra object id");
    assert.ok(text.includes(stack.mock.tenantId), "shows the directory id");
    assert.match(text, /You do not have access yet/);
    assert.deepEqual(parseWithSdk(cardOf(welcome)).verbs, ["submitRequest"]);
    assert.equal(await stack.stores.people.get(adele().aadObjectId), undefined, "no person stored before a request");
  });

  it("request → card in the admins channel → an admin approves with a chosen role → assignment stored, card updated, requester told", async () => {
    const { answer, from: asked } = await requestAccess(
      "I joined the service desk and handle Fabrikam tickets",
      "msp-admin",
    );
    assert.equal(answer.status, 200);
    assert.match(answerText(answer), /Request sent/);

    const person = await stack.stores.people.get(adele().aadObjectId);
    assert.equal(person?.value.source, "self-registration");
    assert.equal(person?.value.name, "Adele Vance");
    assert.equal(person?.value.upn, "adelev@contoso.example");
    const [request] = await requestsOf(adele().aadObjectId);
    assert.equal(request?.status, "pending");
    assert.equal(request?.wishedRole, "msp-admin");
    assert.equal(person?.value.pendingRequest?.requestId, request?.id);
    assert.ok(
      await stack.stores.conversations.getPersonal(adele().aadObjectId),
      "the requester's chat address is stored",
    );

    const card = await requestCardPosted(asked);
    const shown = cardText(cardOf(card));
    assert.match(shown, /Adele Vance/);
    assert.match(shown, /I joined the service desk/);
    assert.match(shown, /Wished role: MSP Admin/);
    assert.equal(requestIdOf(card), request!.id);

    const before = stack.requester.mark();
    const approval = await click(card, megan().id, "approveRequest", {
      requestId: request!.id,
      role: "msp-user",
      tenantAccess: "all",
      expiry: "30d",
      note: "Welcome aboard",
    });
    assert.equal(approval.status, 200);
    assert.equal(approval.body.type, "application/vnd.microsoft.card.adaptive");
    assert.match(answerText(approval), /Approved by: Megan Bowen/);
    assert.deepEqual(parseWithSdk(approval.body.value).verbs, [], "no buttons left on the outcome");

    const granted = (await stack.stores.people.get(adele().aadObjectId))!.value;
    assert.equal(granted.assignment?.role, "msp-user");
    assert.deepEqual(granted.assignment?.tenantAccess, { kind: "all" });
    assert.equal(granted.assignment?.grantedBy.name, "Megan Bowen");
    assert.equal(granted.assignment?.justification, "I joined the service desk and handle Fabrikam tickets");
    const days = (Date.parse(granted.assignment!.expiresAt!) - Date.parse(granted.assignment!.grantedAt)) / 86_400_000;
    assert.equal(Math.round(days), 30);
    assert.equal(granted.pendingRequest, null);

    const updated = await stack.requester.waitFor(
      (e) => inChannel(e) && e.action === "updateMessage" && e.message.messageId === card.message.messageId,
      { from: before, what: "the card update" },
    );
    assert.match(cardText(cardOf(updated)), /Approved by: Megan Bowen/);
    assert.deepEqual(parseWithSdk(cardOf(updated)).verbs, []);

    const notice = await stack.requester.waitFor((e) => inChat(stack.requesterChatId)(e) && showing("approved")(e), {
      from: before,
      what: "the requester's notice",
    });
    assert.match(cardText(cardOf(notice)), /Role: MSP User/);

    const audit = (await auditOf(adele().aadObjectId)).filter((e) => e.action === "request.approved");
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor.name, "Megan Bowen");
    assert.equal((audit[0]!.after as { assignment: { role: string } }).assignment.role, "msp-user");
  });

  it("denies with a reason: the request is denied, nobody gets access, the requester hears why", async () => {
    const asked = (await requestAccess("Need to see billing")).from;
    const card = await requestCardPosted(asked);
    const requestId = requestIdOf(card);

    const untouched = await quietSnapshot();
    const noReason = await click(card, megan().id, "denyRequest", {
      requestId,
      role: "msp-user",
      tenantAccess: "msp",
      expiry: "never",
    });
    assert.match(answerText(noReason), /Not done: Reason is required/);
    assert.deepEqual(
      parseWithSdk(noReason.body.value).verbs,
      ["approveRequest", "denyRequest"],
      "the admin gets the form back",
    );
    assert.deepEqual(await stack.snapshot(), untouched, "a refused deny changes nothing");

    const before = stack.requester.mark();
    const denial = await click(card, megan().id, "denyRequest", {
      requestId,
      role: "msp-user",
      tenantAccess: "msp",
      expiry: "never",
      note: "Billing is handled by finance",
    });
    assert.match(answerText(denial), /Denied by: Megan Bowen/);
    const [request] = await requestsOf(adele().aadObjectId);
    assert.equal(request!.status, "denied");
    assert.equal(request!.decision?.outcome === "denied" && request!.decision.reason, "Billing is handled by finance");
    assert.equal((await stack.stores.people.get(adele().aadObjectId))!.value.assignment, null);
    const notice = await stack.requester.waitFor((e) => inChat(stack.requesterChatId)(e) && showing("denied")(e), {
      from: before,
      what: "the denial notice",
    });
    assert.match(cardText(cardOf(notice)), /Billing is handled by finance/);
  });

  it("refuses an approval by someone who is not an admin, and by the requester on their own request", async () => {
    const asked = (await requestAccess("Need access")).from;
    const card = await requestCardPosted(asked);
    const requestId = requestIdOf(card);
    const data = { requestId, role: "msp-admin", tenantAccess: "all", expiry: "never" };
    const before = await quietSnapshot();

    const isaiah = await click(card, stack.user("Isaiah Langer").id, "approveRequest", data);
    assert.match(answerText(isaiah), /Only admins may decide access requests/);
    assert.deepEqual(parseWithSdk(isaiah.body.value).verbs, [], "no form for someone who may not decide");

    const self = await click(card, adele().id, "approveRequest", data);
    assert.match(answerText(self), /cannot decide your own request/);

    const [request] = await requestsOf(adele().aadObjectId);
    assert.equal(request!.status, "pending");
    assert.equal((await stack.stores.people.get(adele().aadObjectId))!.value.assignment, null);
    assert.equal(
      (await auditOf(adele().aadObjectId)).filter(
        (e) => e.action.startsWith("request.") && e.action !== "request.submitted",
      ).length,
      0,
    );
    assert.equal(
      await stack.stores.people.get(stack.user("Isaiah Langer").aadObjectId),
      undefined,
      "the refused clicker is not stored",
    );

    const mine = stack.requester.mark();
    await stack.requester.sendMessage(stack.requesterChatId, adele().id, "pending");
    const refused = await stack.requester.waitFor(inChat(stack.requesterChatId), { from: mine, what: "the refusal" });
    assert.match(cardText(cardOf(refused)), /Only admins can list pending requests/);
    assert.deepEqual(await stack.snapshot(), before, "refusals write nothing");
  });

  it("refuses self-approval even when the requester has meanwhile become an MSP Admin", async () => {
    const asked = (await requestAccess("Need access")).from;
    const card = await requestCardPosted(asked);
    const requestId = requestIdOf(card);
    // Adele was made an MSP Admin by other means (as the People tab will allow) while her request waits.
    const stored = (await stack.stores.people.get(adele().aadObjectId))!;
    await stack.stores.people.replace(
      {
        ...stored.value,
        assignment: {
          role: "msp-admin",
          tenantAccess: { kind: "all" },
          expiresAt: null,
          grantedBy: { personId: "system", name: "test" },
          grantedAt: new Date().toISOString(),
          justification: null,
          requestId: null,
        },
      },
      stored.etag,
    );
    const self = await click(card, adele().id, "approveRequest", {
      requestId,
      role: "msp-admin",
      tenantAccess: "all",
      expiry: "never",
    });
    assert.match(answerText(self), /cannot decide your own request/);
    assert.equal((await requestsOf(adele().aadObjectId))[0]!.status, "pending");
  });

  it("ten parallel approvals of one request leave exactly one decision, one audit event and one notice", async () => {
    const asked = (await requestAccess("Need access")).from;
    const card = await requestCardPosted(asked);
    const requestId = requestIdOf(card);
    const admins = [megan(), stack.user("Alex Wilber")];
    const before = stack.requester.mark();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        click(card, admins[i % 2]!.id, "approveRequest", {
          requestId,
          role: i % 2 ? "msp-admin" : "msp-user",
          tenantAccess: "all",
          expiry: "never",
        }),
      ),
    );
    const texts = answers.map(answerText);
    const winners = texts.filter((t) => /Approved by:/.test(t) && !/Already approved/.test(t));
    const losers = texts.filter((t) => /Already approved by/.test(t));
    assert.equal(winners.length, 1, `one winner; answers were:\n${texts.join("\n---\n")}`);
    assert.equal(losers.length, 9);

    const [request] = await requestsOf(adele().aadObjectId);
    assert.equal(request!.status, "approved");
    const winner = request!.decision!;
    assert.ok(
      losers.every((t) => t.includes(`Already approved by ${winner.by.name}`)),
      "each loser is told who won",
    );
    const person = (await stack.stores.people.get(adele().aadObjectId))!.value;
    assert.equal(person.assignment?.requestId, requestId);
    assert.equal(person.assignment?.role, winner.outcome === "approved" ? winner.grant.role : null);
    assert.equal((await auditOf(adele().aadObjectId)).filter((e) => e.action === "request.approved").length, 1);

    const notices = await stack.requester.settle((e) => inChat(stack.requesterChatId)(e) && showing("approved")(e), {
      from: before,
    });
    assert.equal(notices.length, 1, "the requester is told once");
  });

  it("completes an approval after the bot restarted between request and decision (everything is read from the store)", async () => {
    const asked = (await requestAccess("Need access after a restart")).from;
    const card = await requestCardPosted(asked);
    await stack.restartBot();
    const before = stack.requester.mark();
    const approval = await click(card, megan().id, "approveRequest", {
      requestId: requestIdOf(card),
      role: "customer-user",
      tenantAccess: "msp",
      expiry: "1d",
    });
    assert.match(answerText(approval), /Approved by: Megan Bowen/);
    assert.equal((await stack.stores.people.get(adele().aadObjectId))!.value.assignment?.role, "customer-user");
    await stack.requester.waitFor((e) => inChannel(e) && e.action === "updateMessage", {
      from: before,
      what: "the card update after restart",
    });
    await stack.requester.waitFor((e) => inChat(stack.requesterChatId)(e) && showing("approved")(e), {
      from: before,
      what: "the notice after restart",
    });
  });

  it("answers a second request with the pending one, and a user with their access", async () => {
    const asked = (await requestAccess("First")).from;
    const again = await requestAccess("Second");
    assert.match(answerText(again.answer), /already have a request waiting/);
    assert.equal((await requestsOf(adele().aadObjectId)).length, 1);

    const card = await requestCardPosted(asked);
    await click(card, megan().id, "approveRequest", {
      requestId: requestIdOf(card),
      role: "msp-user",
      tenantAccess: "all",
      expiry: "never",
    });
    const third = await requestAccess("Third");
    assert.match(answerText(third.answer), /You have access/);
    assert.equal((await requestsOf(adele().aadObjectId)).length, 1);
  });

  it("cancel withdraws the pending request and the admins' card says so", async () => {
    const asked = (await requestAccess("Never mind soon")).from;
    const card = await requestCardPosted(asked);
    const before = stack.requester.mark();
    await stack.requester.sendMessage(stack.requesterChatId, adele().id, "cancel");
    await stack.requester.waitFor((e) => inChat(stack.requesterChatId)(e) && showing("Request cancelled")(e), {
      from: before,
      what: "the cancel confirmation",
    });
    const update = await stack.requester.waitFor(
      (e) => inChannel(e) && e.action === "updateMessage" && e.message.messageId === card.message.messageId,
      { from: before, what: "the card update" },
    );
    assert.match(cardText(cardOf(update)), /Cancelled by the requester/);
    assert.equal((await requestsOf(adele().aadObjectId))[0]!.status, "cancelled");
    const late = await click(card, megan().id, "approveRequest", {
      requestId: requestIdOf(card),
      role: "msp-user",
      tenantAccess: "all",
      expiry: "never",
    });
    assert.match(answerText(late), /Already cancelled by Adele Vance/);
  });

  it("refuses tampered card data: unknown fields, roles or tenants not offered, unknown requests; nothing changes", async () => {
    const asked = (await requestAccess("Need access")).from;
    const card = await requestCardPosted(asked);
    const requestId = requestIdOf(card);
    const base = { requestId, role: "msp-user", tenantAccess: "all", expiry: "never" };
    const before = await quietSnapshot();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, isAdmin: true }, /unexpected field isAdmin/],
      [{ ...base, approverId: megan().aadObjectId }, /unexpected field approverId/],
      [{ ...base, requester: "someone-else" }, /unexpected field requester/],
      [{ ...base, role: "super-admin" }, /Role is not one of the offered roles/],
      [{ ...base, tenantAccess: "another-tenant" }, /tenant that does not exist/],
      [{ ...base, expiry: "forever" }, /Expiry is not one of the offered/],
      [{ ...base, role: "customer-user", tenantAccess: "all" }, /exactly one tenant/],
      [{ ...base, requestId: "11111111-1111-4111-8111-111111111111-r9" }, /No such request/],
      [{ ...base, requestId: "../../etc" }, /No such request/],
      [{ ...base, note: "x".repeat(600) }, /Comment is too long/],
    ];
    for (const [data, message] of cases) {
      const answer = await click(card, megan().id, "approveRequest", data);
      assert.match(answerText(answer), message, JSON.stringify(data).slice(0, 200));
      assert.match(answerText(answer), /Not done/);
    }
    assert.deepEqual(await stack.snapshot(), before, "nothing was written");
  });

  it("lists pending requests for admins only", async () => {
    await requestCardPosted((await requestAccess("Please let me in")).from);
    const adminChat = `a:personal-${megan().id.replace(/^29:/, "")}`;
    const from = stack.admin.mark();
    await stack.admin.sendMessage(adminChat, megan().id, "pending");
    const list = await stack.admin.waitFor(inChat(adminChat), { from, what: "the pending list" });
    assert.match(cardText(cardOf(list)), /Pending requests: 1/);
    assert.match(cardText(cardOf(list)), /Adele Vance/);

    const mine = stack.requester.mark();
    await stack.requester.sendMessage(stack.requesterChatId, adele().id, "pending");
    const refused = await stack.requester.waitFor(inChat(stack.requesterChatId), { from: mine, what: "the refusal" });
    assert.match(cardText(cardOf(refused)), /Only admins can list pending requests/);
  });

  it("with no admins channel, tells the requester and the MSP Admins, then posts waiting requests where an MSP Admin says", async () => {
    await stack.freshBot({ ADMIN_CHANNEL_ID: "" });
    const adminChat = `a:personal-${megan().id.replace(/^29:/, "")}`;
    let from = stack.admin.mark();
    await stack.admin.sendMessage(adminChat, megan().id, "status");
    await stack.admin.waitFor(inChat(adminChat), { from, what: "Megan's status" });

    from = stack.admin.mark();
    const { answer } = await requestAccess("Nobody is listening yet");
    assert.match(answerText(answer), /no admins channel is set up/);
    const told = await stack.admin.waitFor((e) => inChat(adminChat)(e) && showing("cannot be routed")(e), {
      from,
      what: "the MSP Admin's notice",
    });
    assert.match(cardText(cardOf(told)), /use this channel for approvals/);

    from = stack.admin.mark();
    await stack.admin.sendMessage(stack.adminChannelId, megan().id, "use this channel for approvals", stack.botMention);
    const posted = await stack.admin.waitFor(
      (e) => inChannel(e) && e.action === "createMessage" && showing("Access request")(e),
      { from, what: "the waiting request's card" },
    );
    const setting = await stack.stores.settings.getAdminChannel();
    assert.equal(setting?.channelId, stack.adminChannelId);
    assert.equal(setting?.setBy?.name, "Megan Bowen");

    const approval = await stack.admin.invoke({
      fromId: megan().id,
      conversationId: posted.message.postConversationId!,
      replyToId: posted.message.messageId,
      verb: "approveRequest",
      data: { requestId: requestIdOf(posted), role: "msp-user", tenantAccess: "all", expiry: "never" },
    });
    assert.match(answerText(approval), /Approved by: Megan Bowen/);
  });

  it("refuses people from a directory that is not allowed, and stores nothing about them", async () => {
    await stack.freshBot({ ALLOWED_DIRECTORY_IDS: "0b0e0000-0000-4000-8000-000000000000" });
    const from = stack.requester.mark();
    await stack.requester.sendMessage(stack.requesterChatId, adele().id, "request access I should not get in");
    const refusal = await stack.requester.waitFor(inChat(stack.requesterChatId), { from, what: "the refusal" });
    assert.match(refusal.message.text ?? "", /not allowed to use Access Desk/);
    assert.equal(await stack.stores.people.get(adele().aadObjectId), undefined);
    assert.equal(await stack.stores.conversations.getPersonal(adele().aadObjectId), undefined);
    assert.deepEqual(await requestsOf(adele().aadObjectId), []);
  });
});
