import type { Container, SqlParameter } from "@azure/cosmos";
import type { Person } from "../domain/person.js";
import type { Role } from "../domain/roles.js";
import type { Page, PeopleFilter, PeopleSort, PeopleStore, Stored } from "../services/ports.js";
import { CosmosDocuments } from "./cosmos-documents.js";
import { mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";
import { SingleFlight } from "./single-flight.js";

/** Fields kept beside a person only so that queries can filter and sort on them (never read back). */
type QueryFields = { sortName: string; searchKeys: string[]; roleKey: string; expiresKey: string; grantedKey: string };
const QUERY_FIELDS: Array<keyof QueryFields> = ["sortName", "searchKeys", "roleKey", "expiresKey", "grantedKey"];
type PersonDoc = Person & QueryFields;

/** Lower-case words a person can be found by, each matched by prefix: names, UPN, email and their local parts. */
export const searchKeysOf = (p: Pick<Person, "name" | "upn" | "email" | "objectId">): string[] => {
  const keys = new Set<string>();
  const add = (value: string | null) => {
    if (!value) return;
    const v = value.toLowerCase().trim();
    if (!v) return;
    keys.add(v);
    for (const word of v.split(/[\s,.'"()-]+/)) if (word) keys.add(word);
    const at = v.indexOf("@");
    if (at > 0) keys.add(v.slice(0, at));
  };
  add(p.name);
  add(p.upn);
  add(p.email);
  keys.add(p.objectId.toLowerCase());
  return [...keys];
};

/** A person as stored, with the fields queries use (exported for bulk loading of demo data). */
export const withQueryFields = (p: Person): PersonDoc => ({
  ...p,
  sortName: (p.name || p.upn || p.objectId).toLowerCase(),
  searchKeys: searchKeysOf(p),
  roleKey: p.assignment?.role ?? "~none",
  // Never-expiring access sorts after every date; no access after that.
  expiresKey: p.assignment ? (p.assignment.expiresAt ?? "9999-12-31T23:59:59.999Z") : "~none",
  grantedKey: p.assignment?.grantedAt ?? "",
});

/** A person from their stored document (system and query fields removed). */
export const personOf = (doc: Record<string, unknown>): Person => withoutQueryFields(doc);

const withoutQueryFields = (doc: Record<string, unknown>): Person => {
  const out = withoutSystemProperties<Record<string, unknown>>(doc);
  for (const key of QUERY_FIELDS) delete out[key];
  return out as Person;
};

const STATUS_CONDITIONS: Record<NonNullable<PeopleFilter["status"]>, string> = {
  user: "c.enabled = true AND NOT IS_NULL(c.assignment) AND (IS_NULL(c.assignment.expiresAt) OR c.assignment.expiresAt > @now)",
  "no-access":
    "c.enabled = true AND (IS_NULL(c.assignment) OR (NOT IS_NULL(c.assignment.expiresAt) AND c.assignment.expiresAt <= @now))",
  disabled: "c.enabled = false",
  pending: "NOT IS_NULL(c.pendingRequest)",
};

const SORT_PATHS: Record<PeopleSort["field"], string> = {
  name: "c.sortName",
  role: "c.roleKey",
  expiresAt: "c.expiresKey",
  grantedAt: "c.grantedKey",
};

/** People on Cosmos DB: one document per person, id = partition key = person id (point reads). */
export class CosmosPeopleStore implements PeopleStore {
  private readonly docs: CosmosDocuments<PersonDoc>;
  private readonly reads = new SingleFlight<Stored<PersonDoc> | undefined>();
  constructor(private readonly container: Container) {
    this.docs = new CosmosDocuments<PersonDoc>(container, "person", (d) => d.type === "person");
  }

  private stored = (s: Stored<PersonDoc>): Stored<Person> => ({ value: withoutQueryFields(s.value), etag: s.etag });

  async get(personId: string): Promise<Stored<Person> | undefined> {
    const found = await this.reads.read(personId, () => this.docs.get(personId, personId));
    return found && this.stored(found);
  }

  async create(person: Person): Promise<Stored<Person>> {
    try {
      return this.stored(await this.docs.create(withQueryFields(person)));
    } finally {
      this.reads.forget(person.personId);
    }
  }

  async replace(person: Person, etag: string): Promise<Stored<Person>> {
    try {
      return this.stored(await this.docs.replace(withQueryFields(person), etag));
    } finally {
      this.reads.forget(person.personId);
    }
  }

  /** Call after writing the person elsewhere (a batch): reads in flight may hold the old record. */
  forget(personId: string): void {
    this.reads.forget(personId);
  }

  async listByRole(role: Role, limit: number): Promise<Person[]> {
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.type = 'person' AND c.assignment.role = @role",
      [{ name: "@role", value: role }],
      limit,
    );
    return docs.map((d) => withoutQueryFields(d));
  }

  async search(
    filter: PeopleFilter,
    sort: PeopleSort,
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<Person>> {
    const where = ["c.type = 'person'"];
    const parameters: SqlParameter[] = [];
    if (filter.tenantIds) {
      where.push("ARRAY_CONTAINS(@tenantIds, c.homeTenantId)");
      parameters.push({ name: "@tenantIds", value: [...filter.tenantIds] });
    }
    if (filter.tenantId) {
      where.push("c.homeTenantId = @tenantId");
      parameters.push({ name: "@tenantId", value: filter.tenantId });
    }
    if (filter.role) {
      where.push("c.assignment.role = @role");
      parameters.push({ name: "@role", value: filter.role });
    }
    if (filter.status) {
      where.push(`(${STATUS_CONDITIONS[filter.status]})`);
      if (filter.status === "user" || filter.status === "no-access")
        parameters.push({ name: "@now", value: filter.now });
    }
    const search = filter.search?.trim().toLowerCase();
    if (search) {
      where.push("EXISTS(SELECT VALUE k FROM k IN c.searchKeys WHERE STARTSWITH(k, @search))");
      parameters.push({ name: "@search", value: search });
    }
    const query = `SELECT * FROM c WHERE ${where.join(" AND ")} ORDER BY ${SORT_PATHS[sort.field]} ${sort.order === "desc" ? "DESC" : "ASC"}`;
    try {
      const result = await this.container.items
        .query<PersonDoc>(
          { query, parameters },
          { maxItemCount: page.pageSize, ...(page.continuation ? { continuationToken: page.continuation } : {}) },
        )
        .fetchNext();
      return {
        items: result.resources.map((d) => withoutQueryFields(d as unknown as Record<string, unknown>)),
        continuation: result.continuationToken ?? null,
      };
    } catch (e) {
      throw mapStoreError(e, "people");
    }
  }

  async markChangeRecorded(personId: string, etag: string): Promise<string | null> {
    try {
      const { etag: next } = await this.container
        .item(personId, personId)
        .patch([{ op: "set", path: "/lastChange/recorded", value: true }], {
          accessCondition: { type: "IfMatch", condition: etag },
        });
      this.reads.forget(personId);
      return next;
    } catch (e) {
      const mapped = mapStoreError(e, "person");
      // Changed again since: the newer change carries its own audit event.
      if (mapped.name === "PreconditionFailed") return null;
      throw mapped;
    }
  }

  async listExpiringBefore(untilIso: string, limit: number): Promise<Stored<Person>[]> {
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.type = 'person' AND NOT IS_NULL(c.assignment) AND NOT IS_NULL(c.assignment.expiresAt) AND c.assignment.expiresAt <= @until",
      [{ name: "@until", value: untilIso }],
      limit,
      undefined,
      true,
    );
    return docs.map((d) => ({
      value: withoutQueryFields(d.value as unknown as Record<string, unknown>),
      etag: d.etag,
    }));
  }

  async listWithoutTenant(directoryId: string, limit: number): Promise<Person[]> {
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.type = 'person' AND c.directoryId = @d AND IS_NULL(c.homeTenantId)",
      [{ name: "@d", value: directoryId }],
      limit,
    );
    return docs.map((d) => withoutQueryFields(d));
  }

  async listUnrecordedChanges(limit: number): Promise<Person[]> {
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.type = 'person' AND c.lastChange.recorded = false",
      [],
      limit,
    );
    return docs.map((d) => withoutQueryFields(d));
  }

  async getMany(personIds: readonly string[]): Promise<Stored<Person>[]> {
    if (personIds.length === 0) return [];
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.type = 'person' AND ARRAY_CONTAINS(@ids, c.id)",
      [{ name: "@ids", value: [...personIds] }],
      personIds.length,
      undefined,
      true,
    );
    return docs.map((d) => ({
      value: withoutQueryFields(d.value as unknown as Record<string, unknown>),
      etag: d.etag,
    }));
  }

  async listActiveInDirectory(
    directoryId: string,
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<Stored<Person>>> {
    try {
      const result = await this.container.items
        .query<PersonDoc & { _etag: string }>(
          {
            query:
              "SELECT * FROM c WHERE c.type = 'person' AND c.directoryId = @d AND (c.enabled = true OR NOT IS_NULL(c.assignment))",
            parameters: [{ name: "@d", value: directoryId }],
          },
          { maxItemCount: page.pageSize, ...(page.continuation ? { continuationToken: page.continuation } : {}) },
        )
        .fetchNext();
      return {
        items: result.resources.map((d) => ({
          value: withoutQueryFields(d as unknown as Record<string, unknown>),
          etag: d._etag,
        })),
        continuation: result.continuationToken ?? null,
      };
    } catch (e) {
      throw mapStoreError(e, "people");
    }
  }
}
