import type { Container } from "@azure/cosmos";
import type { StoreHealth } from "../services/ports.js";
import { CosmosAuditLog } from "./cosmos-audit-log.js";
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
  return {
    people: new CosmosPeopleStore(container),
    requests: new CosmosRequestStore(container),
    reviews: new CosmosReviewStore(container),
    audit: new CosmosAuditLog(container),
    tenants: new CosmosTenantStore(container),
    settings: new CosmosSettingsStore(container),
    conversations: new CosmosConversationStore(container),
    leases: new CosmosLeaseStore(container),
    health,
  };
};
export type CosmosStores = ReturnType<typeof createCosmosStores>;
