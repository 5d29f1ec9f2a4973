import type { Container } from "@azure/cosmos";
import type { Person } from "../domain/person.js";
import type { Role } from "../domain/roles.js";
import type { PeopleStore, Stored } from "../services/ports.js";
import { isNotFound, mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";

type Doc = Person & { _etag?: string };

const stored = (doc: Doc, etag?: string): Stored<Person> => ({
  value: withoutSystemProperties<Person>(doc as unknown as Record<string, unknown>),
  etag: etag ?? doc._etag ?? "",
});

/** People on Cosmos DB: one document per person, id = partition key = person id (point reads). */
export class CosmosPeopleStore implements PeopleStore {
  constructor(private readonly container: Container) {}

  async get(personId: string): Promise<Stored<Person> | undefined> {
    try {
      const { resource, etag } = await this.container.item(personId, personId).read<Doc>();
      return resource ? stored(resource, etag) : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw mapStoreError(e, "person");
    }
  }

  async create(person: Person): Promise<Stored<Person>> {
    try {
      const { resource, etag } = await this.container.items.create<Doc>(person);
      return stored(resource!, etag);
    } catch (e) {
      throw mapStoreError(e, "person");
    }
  }

  async replace(person: Person, etag: string): Promise<Stored<Person>> {
    try {
      const { resource, etag: next } = await this.container
        .item(person.id, person.personId)
        .replace<Doc>(person, { accessCondition: { type: "IfMatch", condition: etag } });
      return stored(resource!, next);
    } catch (e) {
      throw mapStoreError(e, "person");
    }
  }

  async listByRole(role: Role, limit: number): Promise<Person[]> {
    try {
      const { resources } = await this.container.items
        .query<Doc>(
          {
            query: "SELECT * FROM c WHERE c.type = 'person' AND c.assignment.role = @role",
            parameters: [{ name: "@role", value: role }],
          },
          { maxItemCount: limit },
        )
        .fetchNext();
      return resources.slice(0, limit).map((d) => stored(d).value);
    } catch (e) {
      throw mapStoreError(e, "people");
    }
  }
}
