import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { loadConfigOrExit } from "../src/config.js";
import { newAccessRequest } from "../src/domain/access-request.js";
import type { Person } from "../src/domain/person.js";
import { withQueryFields } from "../src/store/cosmos-people-store.js";
import { connectToStore } from "./local/endpoints.js";
import { seedIso, seedPerson, seedPick, seedTenants } from "./seed-people.js";

/**
 * `npm run seed -- --people 100000`: fills the local store with realistic demo people (and customer
 * tenants, users, disabled accounts and some pending requests) for demos and benchmarks. It writes to
 * COSMOS_ENDPOINT, or to the embedded server of a running `npm start`.
 */
const { values } = parseArgs({
  options: { people: { type: "string", default: "1000" }, requests: { type: "string", default: "25" } },
});
const count = Number(values.people);
const pendingCount = Number(values.requests);
if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
  console.error("--people must be a whole number from 1 to 1,000,000");
  process.exit(64);
}

const config = loadConfigOrExit();
const { container } = await connectToStore(config);

const now = new Date();
const tenants = seedTenants(now);
for (const t of tenants) {
  await container.items.upsert({ ...t, personId: "_tenants", type: "tenant" });
}
const personAt = (i: number): Person => seedPerson(i, config.allowedDirectoryIds[0]!, tenants, now);

// The Playground's people, so that changes made in the tab show in their chats (`status`). Existing
// records (initial admins, people who already asked) are left as they are.
if (config.tab.devUsersFile && existsSync(config.tab.devUsersFile)) {
  const mock = parse(readFileSync(config.tab.devUsersFile, "utf8")) as {
    currentUser: { aadObjectId: string; name: string; userPrincipleName: string; email?: string };
    users: Array<{ aadObjectId: string; name: string; userPrincipleName: string; email?: string }>;
  };
  for (const u of [mock.currentUser, ...mock.users]) {
    const id = u.aadObjectId.toLowerCase();
    const at = now.toISOString();
    const person: Person = {
      id,
      personId: id,
      type: "person",
      objectId: id,
      directoryId: config.allowedDirectoryIds[0]!,
      name: u.name,
      upn: u.userPrincipleName.toLowerCase(),
      email: u.email?.toLowerCase() ?? null,
      source: "entra",
      homeTenantId: "msp",
      enabled: true,
      assignment: null,
      pendingRequest: null,
      requestSeq: 0,
      createdAt: at,
      updatedAt: at,
    };
    await container.items.create(withQueryFields(person)).catch((e: { code?: number }) => {
      if (e.code !== 409) throw e;
    });
  }
}

const started = Date.now();
let written = 0;
let batch: object[] = [];
const pendingPeople: Person[] = [];
// Many creates in flight at once: faster than the bulk API against the embedded server, and fine on Azure.
const CONCURRENCY = 64;
const flush = async () => {
  for (let i = 0; i < batch.length; i += CONCURRENCY) {
    await Promise.all(batch.slice(i, i + CONCURRENCY).map((doc) => container.items.create(doc)));
  }
  written += batch.length;
  batch = [];
  if (written % 10_000 < 500) process.stdout.write(`\r${written.toLocaleString()} people written…`);
};
for (let i = 0; i < count; i++) {
  let person = personAt(i);
  if (pendingPeople.length < pendingCount && person.assignment === null && person.enabled && i % 13 === 5) {
    const request = newAccessRequest(
      person,
      1,
      `I joined the ${seedPick(["service desk", "network team", "security team", "onboarding team"], i)} and need to work on tickets.`,
      null,
      seedIso(now.getTime() - (i % 48) * 3_600_000),
    );

    person = { ...person, pendingRequest: { requestId: request.id, createdAt: request.createdAt }, requestSeq: 1 };
    batch.push(request);
    pendingPeople.push(person);
  }
  batch.push(withQueryFields(person));
  if (batch.length >= 500) await flush();
}
await flush();
console.log(
  `\r${count.toLocaleString()} people, ${tenants.length} customer tenants and ${pendingPeople.length} pending requests written in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
);
