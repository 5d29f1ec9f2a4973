import type { Container } from "@azure/cosmos";
import type { StoreHealth } from "../services/ports.js";
import { CosmosAuditLog } from "./cosmos-audit-log.js";
import { CosmosDecisionStore } from "./cosmos-decision-store.js";
import { CosmosLeaseStore } from "./cosmos-lease-store.js";
import { CosmosPeopleStore } from "./cosmos-people-store.js";
import { CosmosRequestStore } from "./cosmos-request-store.js";
import { CosmosReviewStore } from "./cosmos-review-store.js";
import { CosmosConversationStore, CosmosSettingsStore, CosmosTenantStore } from "./cosmos-settings-store.js";
import { mapStoreError } from "./cosmos-errors.js";

/** Every store port implemented on one Cosmos DB container. */
export const createCosmosStores = (container: Container) => {
  const health: StoreHealth = {
    async ping() {
      try {
        await container.read();
      } catch (e) {
        throw mapStoreError(e, "container");
      }
    },
  };
  const people = new CosmosPeopleStore(container);
  const audit = new CosmosAuditLog(container);
  return {
    people,
    requests: new CosmosRequestStore(container),
    decisions: new CosmosDecisionStore(container, audit, people),
    reviews: new CosmosReviewStore(container),
    audit,
    tenants: new CosmosTenantStore(container),
    settings: new CosmosSettingsStore(container),
    conversations: new CosmosConversationStore(container),
    leases: new CosmosLeaseStore(container),
    health,
  };
};
export type CosmosStores = ReturnType<typeof createCosmosStores>;
