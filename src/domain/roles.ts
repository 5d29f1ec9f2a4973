/** The built-in roles and what each may do: permissions are data, checked by one function. */
export const ROLES = ["msp-admin", "msp-user", "customer-admin", "customer-user"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "requests.decide",
  "assignments.grant",
  "people.read",
  "people.manage",
  "tenants.manage",
  "settings.manage",
  "audit.read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** How far a role reaches across tenants. */
export type RoleScope = "all-tenants" | "tenant-list" | "own-tenant";

export type RoleDefinition = {
  label: string;
  description: string;
  scope: RoleScope;
  /** Which side of the MSP relationship the role is meant for. */
  side: "msp" | "customer";
  permissions: readonly Permission[];
  /** Roles a holder of this role may grant to someone else. */
  grants: readonly Role[];
};

export const ROLE_DEFINITIONS = {
  "msp-admin": {
    label: "MSP Admin",
    description: "Everything: decide any request, grant any role, manage people, tenants and settings.",
    scope: "all-tenants",
    side: "msp",
    permissions: PERMISSIONS,
    grants: ROLES,
  },
  "msp-user": {
    label: "MSP User",
    description: "Uses the tool across the tenants granted; cannot manage users or decide requests.",
    scope: "tenant-list",
    side: "msp",
    permissions: [],
    grants: [],
  },
  "customer-admin": {
    label: "Customer Admin",
    description: "Manages people of their own tenant and decides its requests; grants only Customer User.",
    scope: "own-tenant",
    side: "customer",
    permissions: ["requests.decide", "assignments.grant", "people.read", "people.manage", "audit.read"],
    grants: ["customer-user"],
  },
  "customer-user": {
    label: "Customer User",
    description: "Uses the tool in their own tenant.",
    scope: "own-tenant",
    side: "customer",
    permissions: [],
    grants: [],
  },
} as const satisfies Record<Role, RoleDefinition>;

/** Least privileged first: the order pickers list roles in. */
export const ROLES_BY_PRIVILEGE: readonly Role[] = ["customer-user", "msp-user", "customer-admin", "msp-admin"];

export const isRole = (value: unknown): value is Role =>
  typeof value === "string" && (ROLES as readonly string[]).includes(value);

export const roleLabel = (role: Role): string => ROLE_DEFINITIONS[role].label;

export const roleHas = (role: Role, permission: Permission): boolean =>
  (ROLE_DEFINITIONS[role].permissions as readonly Permission[]).includes(permission);
