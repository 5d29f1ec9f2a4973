import type { Person, Role, Tenant, TenantAccess } from "./api";

/** Least privileged first, as on the request card. */
export const ROLES: Role[] = ["customer-user", "msp-user", "customer-admin", "msp-admin"];
export const ROLE_LABELS: Record<Role, string> = {
  "msp-admin": "MSP Admin",
  "msp-user": "MSP User",
  "customer-admin": "Customer Admin",
  "customer-user": "Customer User",
};
/** Roles an admin may grant (the server checks again): Customer Admins grant only Customer User. */
export const grantableBy = (role: Role | null): Role[] =>
  role === "msp-admin" ? ROLES : role === "customer-admin" ? ["customer-user"] : [];

/** Roles whose tenant access is exactly one tenant; MSP Admin always has all. */
export const SINGLE_TENANT_ROLES: Role[] = ["customer-admin", "customer-user"];

export const EXPIRY_CHOICES: Array<{ id: string; label: string }> = [
  { id: "never", label: "Never" },
  { id: "1h", label: "1 hour" },
  { id: "1d", label: "1 day" },
  { id: "3d", label: "3 days" },
  { id: "7d", label: "7 days" },
  { id: "30d", label: "30 days" },
  { id: "90d", label: "90 days" },
];

/** Where a person came from: asked in Teams, read from Entra ID by directory sync, or listed as an initial admin. */
export const SOURCE_LABELS: Record<Person["source"], string> = {
  "self-registration": "Asked in Teams",
  entra: "Entra ID (directory sync)",
  "initial-admin": "Initial admin (configuration)",
};

export const STATUS_LABELS = { user: "User", "no-access": "No access", disabled: "Disabled" } as const;

export const ACTION_LABELS: Record<string, string> = {
  "person.registered": "Registered",
  "request.submitted": "Asked for access",
  "request.approved": "Request approved",
  "request.denied": "Request denied",
  "request.cancelled": "Request cancelled",
  "assignment.granted": "Access granted",
  "assignment.changed": "Access changed",
  "assignment.revoked": "Access removed",
  "request.expired": "Request expired",
  "assignment.expired": "Access ended (expiry)",
  "person.enabled": "Enabled",
  "person.disabled": "Disabled",
  "tenant.created": "Tenant created",
  "tenant.updated": "Tenant changed",
  "settings.admin-channel-set": "Admins channel set",
  "review.started": "Access review started",
  "review.kept": "Kept in a review",
  "review.revoked": "Revoked in a review",
  "review.completed": "Access review closed",
};

export const tenantAccessText = (access: TenantAccess | undefined | null, tenants: Tenant[]): string => {
  if (!access) return "—";
  if (access.kind === "all") return "All tenants";
  return access.tenantIds.map((id) => tenants.find((t) => t.id === id)?.name ?? id).join(", ");
};

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
export const formatDate = (iso: string | null | undefined): string => (iso ? dateFormat.format(new Date(iso)) : "—");
