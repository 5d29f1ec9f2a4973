import type { Container } from "@azure/cosmos";
import type { Person } from "../domain/person.js";
import type { Role } from "../domain/roles.js";
import type { PeopleStore, Stored } from "../services/ports.js";
import { CosmosDocuments } from "./cosmos-documents.js";

/** People on Cosmos DB: one document per person, id = partition key = person id (point reads). */
export class CosmosPeopleStore implements PeopleStore {
  private readonly docs: CosmosDocuments<Person>;
  constructor(container: Container) {
    this.docs = new CosmosDocuments<Person>(container, "person", (d) => d.type === "person");
  }

  get(personId: string): Promise<Stored<Person> | undefined> {
    return this.docs.get(personId, personId);
  }

  create(person: Person): Promise<Stored<Person>> {
    return this.docs.create(person);
  }

  replace(person: Person, etag: string): Promise<Stored<Person>> {
    return this.docs.replace(person, etag);
  }

  listByRole(role: Role, limit: number): Promise<Person[]> {
    return this.docs.query(
      "SELECT * FROM c WHERE c.type = 'person' AND c.assignment.role = @role",
      [{ name: "@role", value: role }],
      limit,
    );
  }
}
