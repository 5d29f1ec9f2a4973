import type { Container } from "@azure/cosmos";
import type { Tenant } from "../domain/tenant.js";
import type {
  AdminChannel,
  ConversationAddress,
  DirectorySyncState,
  ConversationStore,
  SettingsStore,
  Stored,
  TenantStore,
} from "../services/ports.js";
import { AlreadyExists } from "../services/ports.js";
import { CosmosDocuments } from "./cosmos-documents.js";
import { isNotFound, mapStoreError } from "./cosmos-errors.js";
import { LRUCache } from "lru-cache";
import { SingleFlight } from "./single-flight.js";

const SETTINGS = "_settings";
const TENANTS = "_tenants";

/** Read-mostly values are cached for a short time; every instance sees a change within this bound. */
const SETTINGS_TTL_MS = 10_000;

type Cached<T> = { value: T; until: number };

/** Settings (the admins channel) in their own small partition, cached briefly. */
export class CosmosSettingsStore implements SettingsStore {
  private adminChannel: Cached<AdminChannel | undefined> | null = null;
  constructor(private readonly container: Container) {}

  async getAdminChannel(): Promise<AdminChannel | undefined> {
    if (this.adminChannel && this.adminChannel.until > Date.now()) return this.adminChannel.value;
    try {
      const { resource } = await this.container.item("admin-channel", SETTINGS).read<{ value: AdminChannel }>();
      const value = resource?.value;
      this.adminChannel = { value, until: Date.now() + SETTINGS_TTL_MS };
      return value;
    } catch (e) {
      if (isNotFound(e)) {
        this.adminChannel = { value: undefined, until: Date.now() + SETTINGS_TTL_MS };
        return undefined;
      }
      throw mapStoreError(e, "admins channel");
    }
  }

  async saveAdminChannel(channel: AdminChannel): Promise<void> {
    try {
      await this.container.items.upsert({ id: "admin-channel", personId: SETTINGS, type: "setting", value: channel });
      this.adminChannel = { value: channel, until: Date.now() + SETTINGS_TTL_MS };
    } catch (e) {
      throw mapStoreError(e, "admins channel");
    }
  }

  async getDirectorySync(directoryId: string): Promise<DirectorySyncState | undefined> {
    try {
      const { resource } = await this.container
        .item(`directory-sync-${directoryId}`, SETTINGS)
        .read<{ value: DirectorySyncState }>();
      return resource?.value;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw mapStoreError(e, "directory sync state");
    }
  }

  async saveDirectorySync(state: DirectorySyncState): Promise<void> {
    try {
      await this.container.items.upsert({
        id: `directory-sync-${state.directoryId}`,
        personId: SETTINGS,
        type: "setting",
        value: state,
      });
    } catch (e) {
      throw mapStoreError(e, "directory sync state");
    }
  }
}

type TenantDoc = Tenant & { personId: string; type: "tenant" };
const toTenant = ({ personId: _p, type: _t, ...tenant }: TenantDoc): Tenant => tenant;
const toDoc = (tenant: Tenant): TenantDoc => ({ ...tenant, personId: TENANTS, type: "tenant" });

/** Tenants in one small partition; the whole list is cached briefly (a few hundred at most). */
export class CosmosTenantStore implements TenantStore {
  private cache: Cached<Tenant[]> | null = null;
  private readonly docs: CosmosDocuments<TenantDoc>;
  constructor(container: Container) {
    this.docs = new CosmosDocuments<TenantDoc>(container, "tenant", (d) => d.type === "tenant");
  }

  async list(): Promise<Tenant[]> {
    if (this.cache && this.cache.until > Date.now()) return this.cache.value;
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.personId = @p AND c.type = 'tenant' ORDER BY c.name",
      [{ name: "@p", value: TENANTS }],
      10_000,
      TENANTS,
    );
    const tenants = docs.map(toTenant);
    this.cache = { value: tenants, until: Date.now() + SETTINGS_TTL_MS };
    return tenants;
  }

  async listStored(): Promise<Stored<Tenant>[]> {
    const docs = await this.docs.query(
      "SELECT * FROM c WHERE c.personId = @p AND c.type = 'tenant' ORDER BY c.name",
      [{ name: "@p", value: TENANTS }],
      10_000,
      TENANTS,
      true,
    );
    return docs.map((d) => ({ value: toTenant(d.value), etag: d.etag }));
  }

  async get(id: string): Promise<Stored<Tenant> | undefined> {
    const found = await this.docs.get(id, TENANTS);
    return found && { value: toTenant(found.value), etag: found.etag };
  }

  async ensure(tenant: Tenant): Promise<Tenant> {
    try {
      await this.docs.create(toDoc(tenant));
    } catch (e) {
      if (!(e instanceof AlreadyExists)) throw e;
    }
    this.cache = null;
    return (await this.list()).find((t) => t.id === tenant.id) ?? tenant;
  }

  async create(tenant: Tenant): Promise<Stored<Tenant>> {
    const created = await this.docs.create(toDoc(tenant));
    this.cache = null;
    return { value: toTenant(created.value), etag: created.etag };
  }

  async replace(tenant: Tenant, etag: string): Promise<Stored<Tenant>> {
    const replaced = await this.docs.replace(toDoc(tenant), etag);
    this.cache = null;
    return { value: toTenant(replaced.value), etag: replaced.etag };
  }
}

/** Each person's personal-chat address, in their partition; reads are cached since addresses rarely change. */
export class CosmosConversationStore implements ConversationStore {
  private readonly cache = new LRUCache<string, ConversationAddress>({ max: 10_000 });
  private readonly reads = new SingleFlight<ConversationAddress | undefined>();
  private readonly saves = new SingleFlight<void>();
  constructor(private readonly container: Container) {}

  cachedPersonal(personId: string): ConversationAddress | undefined {
    return this.cache.get(personId);
  }

  async getPersonal(personId: string): Promise<ConversationAddress | undefined> {
    const hit = this.cache.get(personId);
    if (hit) return hit;
    return this.reads.read(personId, () => this.readPersonal(personId));
  }

  private async readPersonal(personId: string): Promise<ConversationAddress | undefined> {
    try {
      const { resource } = await this.container.item("conversation", personId).read<{ address: ConversationAddress }>();
      if (resource) this.cache.set(personId, resource.address);
      return resource?.address;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw mapStoreError(e, "conversation");
    }
  }

  /** The same address saved twice at once (a turn and its bookkeeping) is written once. */
  savePersonal(personId: string, address: ConversationAddress): Promise<void> {
    return this.saves.read(`${personId}\n${JSON.stringify(address)}`, async () => {
      try {
        await this.container.items.upsert({ id: "conversation", personId, type: "conversation", address });
        this.cache.set(personId, address);
        this.reads.forget(personId);
      } catch (e) {
        throw mapStoreError(e, "conversation");
      }
    });
  }
}
