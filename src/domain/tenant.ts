/** A tenant in ImmyBot's sense: the MSP itself or one of its customers, optionally tied to an Entra directory. */
export type Tenant = {
  id: string;
  name: string;
  kind: "msp" | "customer";
  /** The Entra directory (tenant id) whose people belong here by default. */
  directoryId: string | null;
  createdAt: string;
};

/** The fixed id of the MSP's own tenant, created on first start. */
export const MSP_TENANT_ID = "msp";

/** Which tenants a user may work in. */
export type TenantAccess = { kind: "all" } | { kind: "tenants"; tenantIds: string[] };

export const ALL_TENANTS: TenantAccess = { kind: "all" };

export const tenantAccessIncludes = (access: TenantAccess, tenantId: string): boolean =>
  access.kind === "all" || access.tenantIds.includes(tenantId);

/** The home tenant of a person: the tenant linked to their directory, if any. */
export const homeTenantFor = (tenants: readonly Tenant[], directoryId: string): Tenant | undefined =>
  tenants.find((t) => t.directoryId === directoryId);

export const describeTenantAccess = (access: TenantAccess, tenants: readonly Tenant[]): string => {
  if (access.kind === "all") return "All tenants";
  const names = access.tenantIds.map((id) => tenants.find((t) => t.id === id)?.name ?? id);
  return names.join(", ");
};
