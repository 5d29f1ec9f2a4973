import { randomUUID } from "node:crypto";
import type { Person } from "../src/domain/person.js";
import type { Role } from "../src/domain/roles.js";
import type { Tenant } from "../src/domain/tenant.js";

/**
 * The demo people and customer tenants of `npm run seed`, as plain values: the seed script writes them
 * through the SDK, and the benchmark writes the same people straight into its embedded store.
 */
const FIRST = [
  "Aaliyah",
  "Ben",
  "Chloe",
  "Dmitri",
  "Elena",
  "Farid",
  "Grace",
  "Hiro",
  "Ines",
  "Jonas",
  "Keira",
  "Liam",
  "Maya",
  "Noah",
  "Olga",
  "Priya",
  "Quentin",
  "Rosa",
  "Sven",
  "Tara",
  "Umar",
  "Vera",
  "Wei",
  "Ximena",
  "Yusuf",
  "Zoe",
  "Aditya",
  "Beatriz",
  "Caleb",
  "Daria",
];
const LAST = [
  "Okafor",
  "Schmidt",
  "Nakamura",
  "Garcia",
  "Novak",
  "Haddad",
  "Larsen",
  "Kowalski",
  "Moreau",
  "Singh",
  "O'Brien",
  "Rossi",
  "Andersson",
  "Kim",
  "Fischer",
  "Dubois",
  "Silva",
  "Yilmaz",
  "Petrov",
  "Murphy",
  "Jensen",
  "Costa",
  "Ibrahim",
  "Tanaka",
  "Walsh",
  "Horvat",
  "Bauer",
  "Mendes",
  "Lindqvist",
  "Chen",
];
const CUSTOMERS = [
  "Fabrikam",
  "Northwind Traders",
  "Adventure Works",
  "Tailspin Toys",
  "Wingtip Toys",
  "Woodgrove Bank",
  "Litware",
  "Proseware",
  "Fourth Coffee",
  "Lucerne Publishing",
  "Margie's Travel",
  "Trey Research",
  "Alpine Ski House",
  "Coho Winery",
  "Graphic Design Institute",
  "Humongous Insurance",
  "Blue Yonder Airlines",
  "City Power & Light",
  "Contoso Pharmaceuticals",
  "Relecloud",
];

const iso = (ms: number) => new Date(ms).toISOString();
const pick = <T>(items: readonly T[], i: number) => items[i % items.length]!;
const domain = (name: string) => `${name.toLowerCase().replace(/[^a-z]/g, "")}.example`;

export { iso as seedIso, pick as seedPick };

/** The customer tenants people are spread over (ids t-seed-0 … t-seed-19). */
export const seedTenants = (now: Date): Tenant[] =>
  CUSTOMERS.map((name, i) => ({
    id: `t-seed-${i}`,
    name,
    kind: "customer",
    directoryId: null,
    createdAt: iso(now.getTime() - 400 * 86_400_000),
  }));

const grantor = { personId: "system", name: "Seed data" };

/** The i-th demo person: names, tenant, role and expiry cycle with i, so any count gives the same mix. */
export const seedPerson = (i: number, directoryId: string, tenants: readonly Tenant[], now: Date): Person => {
  const first = pick(FIRST, i);
  const last = pick(LAST, Math.floor(i / FIRST.length) + i);
  const id = randomUUID();
  const onMsp = i % 10 === 0;
  const tenant = onMsp ? null : tenants[i % tenants.length]!;
  const mail =
    `${first}.${last}${i}`.toLowerCase().replace(/[^a-z0-9.]/g, "") +
    `@${onMsp ? "contoso.example" : domain(tenant!.name)}`;
  const kind = i % 50;
  let role: Role | null = null;
  if (kind < 10) role = onMsp ? "msp-user" : "customer-user";
  else if (kind < 12) role = onMsp ? "msp-admin" : "customer-admin";
  const createdAt = iso(now.getTime() - (i % 365) * 86_400_000);
  return {
    id,
    personId: id,
    type: "person",
    objectId: id,
    directoryId: directoryId,
    name: `${first} ${last}`,
    upn: mail,
    email: mail,
    source: i % 3 === 0 ? "entra" : "self-registration",
    homeTenantId: onMsp ? "msp" : tenant!.id,
    enabled: kind !== 49,
    assignment: role
      ? {
          role,
          tenantAccess:
            role === "msp-admin" || role === "msp-user"
              ? { kind: "all" }
              : { kind: "tenants", tenantIds: [tenant!.id] },
          expiresAt: i % 7 === 0 ? iso(now.getTime() + ((i % 90) + 1) * 86_400_000) : null,
          grantedBy: grantor,
          grantedAt: createdAt,
          justification: "Seeded for a demo",
          requestId: null,
        }
      : null,
    pendingRequest: null,
    requestSeq: 0,
    createdAt,
    updatedAt: createdAt,
  };
};
