/** The People tab's client for the server's JSON API: bearer token on every call, ETags for changes. */

export type Role = "msp-admin" | "msp-user" | "customer-admin" | "customer-user";
export type TenantAccess = { kind: "all" } | { kind: "tenants"; tenantIds: string[] };
export type Assignment = {
  role: Role;
  tenantAccess: TenantAccess;
  expiresAt: string | null;
  grantedBy: { personId: string; name: string };
  grantedAt: string;
  justification: string | null;
  requestId: string | null;
};
export type Person = {
  id: string;
  name: string;
  upn: string | null;
  email: string | null;
  objectId: string;
  directoryId: string;
  homeTenantId: string | null;
  source: "self-registration" | "entra" | "initial-admin";
  status: "user" | "no-access" | "disabled";
  enabled: boolean;
  disabledInDirectory: "disabled" | "deleted" | null;
  pendingRequestId: string | null;
  assignment: Assignment | null;
  createdAt: string;
  updatedAt: string;
};
export type Tenant = {
  id: string;
  name: string;
  kind: "msp" | "customer";
  directoryId: string | null;
  createdAt: string;
  etag?: string;
};
export type Decision =
  | {
      outcome: "approved";
      by: { name: string };
      at: string;
      grant: { role: Role; tenantAccess: TenantAccess; expiresAt: string | null };
      comment: string | null;
    }
  | { outcome: "denied"; by: { name: string }; at: string; reason: string }
  | { outcome: "cancelled"; by: { name: string }; at: string };
export type AccessRequest = {
  id: string;
  personId: string;
  requester: { objectId: string; directoryId: string; name: string; upn: string | null; email: string | null };
  homeTenantId: string | null;
  justification: string;
  wishedRole: Role | null;
  status: "pending" | "approved" | "denied" | "cancelled";
  createdAt: string;
  decision: Decision | null;
};
export type AuditEvent = {
  id: string;
  at: string;
  actor: { personId: string; name: string };
  action: string;
  subject?: { kind: string; id: string; name: string | null };
  tenantId?: string | null;
  correlationId?: string;
  seq?: number | null;
  reason: string | null;
  before: unknown;
  after: unknown;
};
export type ReviewItem = {
  id: string;
  personId: string;
  reviewId: string;
  tenantId: string | null;
  name: string;
  upn: string | null;
  assignment: Assignment;
  decision: {
    outcome: "keep" | "revoke";
    by: { name: string };
    at: string;
    reason: string | null;
    byDefault: boolean;
  } | null;
  superseded: boolean;
};
export type AccessReview = {
  id: string;
  status: "starting" | "open" | "closed";
  startedAt: string;
  startedBy: { personId: string; name: string };
  deadline: string;
  defaultOutcome: "keep" | "revoke";
  closedAt: string | null;
  results: { kept: number; revoked: number; byDefault: number; superseded: number } | null;
};
export type ReviewSummary = { review: AccessReview; users: number; decided: number };
export type Me = {
  identity: { objectId: string; directoryId: string; name: string | null; upn: string | null };
  person: Person | null;
  role: Role | null;
  permissions: string[];
  tenants: Tenant[];
};
export type Page<T> = { items: T[]; continuation: string | null };

/** A refusal from the server, with its status and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let tokenSource: () => Promise<string> = async () => {
  throw new ApiError(401, "Not signed in.");
};
let onUnauthenticated: () => void = () => undefined;

/** Where bearer tokens come from (Teams SSO, or the local dev sign-in), and what to do when one is refused. */
export const configureAuth = (source: () => Promise<string>, unauthenticated: () => void) => {
  tokenSource = source;
  onUnauthenticated = unauthenticated;
};

export type Reply<T> = { body: T; etag: string | null };

export const call = async <T>(
  method: string,
  path: string,
  options: { body?: unknown; etag?: string } = {},
): Promise<Reply<T>> => {
  const token = await tokenSource();
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.etag ? { "if-match": options.etag } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (res.status === 401) onUnauthenticated();
  if (!res.ok) throw new ApiError(res.status, body?.message ?? `The server answered ${res.status}.`, body?.field);
  return { body: body as T, etag: res.headers.get("etag") };
};

/** Fetches a file from the API with the bearer token and hands it to the browser as a download. */
export const download = async (path: string): Promise<string> => {
  const token = await tokenSource();
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) onUnauthenticated();
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(res.status, body?.message ?? `The server answered ${res.status}.`, body?.field);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "access-desk-export";
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
};

export const api = {
  me: () => call<Me>("GET", "/api/me").then((r) => r.body),
  people: (query: Record<string, string>) =>
    call<Page<Person>>("GET", `/api/people?${new URLSearchParams(query)}`).then((r) => r.body),
  person: (id: string) =>
    call<{ person: Person; requests: AccessRequest[]; history: AuditEvent[] }>(
      "GET",
      `/api/people/${encodeURIComponent(id)}`,
    ),
  changeAssignment: (
    id: string,
    etag: string,
    body: { role: Role | null; tenantAccess?: "all" | string[]; expiry?: string; reason: string },
  ) => call<{ person: Person }>("PATCH", `/api/people/${encodeURIComponent(id)}/assignment`, { etag, body }),
  grant: (
    id: string,
    etag: string,
    body: { role: Role; tenantAccess: "all" | string[]; expiry: string; reason: string },
  ) => call<{ person: Person }>("POST", `/api/people/${encodeURIComponent(id)}/grant`, { etag, body }),
  setEnabled: (id: string, etag: string, enabled: boolean, reason: string) =>
    call<{ person: Person }>("POST", `/api/people/${encodeURIComponent(id)}/${enabled ? "enable" : "disable"}`, {
      etag,
      body: { reason },
    }),
  pending: () =>
    call<Page<AccessRequest> & { total: number }>("GET", "/api/requests?status=pending&pageSize=100").then(
      (r) => r.body,
    ),
  approve: (id: string, body: { role: Role; tenantAccess: "all" | string[]; expiry: string; comment?: string }) =>
    call<{ request: AccessRequest }>("POST", `/api/requests/${encodeURIComponent(id)}/approve`, { body }),
  deny: (id: string, reason: string) =>
    call<{ request: AccessRequest }>("POST", `/api/requests/${encodeURIComponent(id)}/deny`, { body: { reason } }),
  audit: (query: Record<string, string>) =>
    call<Page<AuditEvent>>("GET", `/api/audit?${new URLSearchParams(query)}`).then((r) => r.body),
  reviews: () => call<{ items: ReviewSummary[] }>("GET", "/api/reviews").then((r) => r.body.items),
  startReview: () => call<{ review: AccessReview }>("POST", "/api/reviews", { body: {} }).then((r) => r.body.review),
  review: (id: string, query: Record<string, string>) =>
    call<ReviewSummary & Page<ReviewItem>>(
      "GET",
      `/api/reviews/${encodeURIComponent(id)}?${new URLSearchParams(query)}`,
    ).then((r) => r.body),
  decideReview: (id: string, personId: string, outcome: "keep" | "revoke") =>
    call<{ item: ReviewItem }>("POST", `/api/reviews/${encodeURIComponent(id)}/items/${encodeURIComponent(personId)}`, {
      body: { outcome },
    }).then((r) => r.body.item),
  tenants: () => call<{ items: Tenant[] }>("GET", "/api/tenants").then((r) => r.body.items),
  createTenant: (body: { name: string; directoryId?: string | null }) =>
    call<{ tenant: Tenant }>("POST", "/api/tenants", { body }),
  updateTenant: (id: string, etag: string, body: { name?: string; directoryId?: string | null }) =>
    call<{ tenant: Tenant }>("PATCH", `/api/tenants/${encodeURIComponent(id)}`, { etag, body }),
};
