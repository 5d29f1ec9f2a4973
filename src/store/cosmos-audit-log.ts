import type { Container } from "@azure/cosmos";
import type { AuditEvent } from "../domain/audit.js";
import { AlreadyExists, type AuditLog } from "../services/ports.js";
import { mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";

/** The audit log on Cosmos DB: events are only ever created, in the partition of the person they are about. */
export class CosmosAuditLog implements AuditLog {
  constructor(private readonly container: Container) {}

  async append(event: AuditEvent): Promise<void> {
    try {
      await this.container.items.create(event);
    } catch (e) {
      const mapped = mapStoreError(e, "audit event");
      if (mapped instanceof AlreadyExists) return;
      throw mapped;
    }
  }

  async listForPerson(personId: string, limit: number): Promise<AuditEvent[]> {
    try {
      const { resources } = await this.container.items
        .query<AuditEvent>(
          {
            query: "SELECT * FROM c WHERE c.personId = @p AND c.type = 'audit' ORDER BY c.at DESC",
            parameters: [{ name: "@p", value: personId }],
          },
          { partitionKey: personId, maxItemCount: limit },
        )
        .fetchNext();
      return resources
        .slice(0, limit)
        .map((d) => withoutSystemProperties<AuditEvent>(d as unknown as Record<string, unknown>));
    } catch (e) {
      throw mapStoreError(e, "audit events");
    }
  }
}
