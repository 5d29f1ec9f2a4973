import type { Container } from "@azure/cosmos";
import { AlreadyExists, PreconditionFailed, type LeaseStore } from "../services/ports.js";
import { CosmosDocuments } from "./cosmos-documents.js";

type LeaseDoc = { id: string; personId: "_leases"; type: "lease"; holder: string; until: number };

/** Leases as small documents in their own partition, taken with conditional writes. */
export class CosmosLeaseStore implements LeaseStore {
  private readonly docs: CosmosDocuments<LeaseDoc>;
  constructor(container: Container) {
    this.docs = new CosmosDocuments<LeaseDoc>(container, "lease", (d) => d.type === "lease");
  }

  async acquire(name: string, holder: string, ttlMs: number, nowMs: number): Promise<boolean> {
    const id = `lease-${name}`;
    const next: LeaseDoc = { id, personId: "_leases", type: "lease", holder, until: nowMs + ttlMs };
    const current = await this.docs.get(id, "_leases");
    try {
      if (!current) {
        await this.docs.create(next);
        return true;
      }
      if (current.value.holder !== holder && current.value.until > nowMs) return false;
      await this.docs.replace(next, current.etag);
      return true;
    } catch (e) {
      if (e instanceof AlreadyExists || e instanceof PreconditionFailed) return false;
      throw e;
    }
  }
}
