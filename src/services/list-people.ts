import { invalid, notAllowed } from "../domain/errors.js";
import { can } from "../domain/grant-policy.js";
import { activeRole, type Identity, type Person } from "../domain/person.js";
import { isRole, ROLE_DEFINITIONS } from "../domain/roles.js";
import type { ServiceDeps } from "./deps.js";
import { PEOPLE_SORT_FIELDS, type Page, type PeopleFilter, type PeopleSort } from "./ports.js";
import { requireActor } from "./register-person.js";

export type PeopleQuery = {
  search?: unknown;
  role?: unknown;
  status?: unknown;
  tenant?: unknown;
  sort?: unknown;
  order?: unknown;
  pageSize?: unknown;
  continuation?: unknown;
};

export const PAGE_SIZE = { default: 50, max: 200 } as const;
const STATUSES = ["user", "no-access", "disabled", "pending"] as const;

const optionalText = (field: string, value: unknown, max: number): string | undefined => {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || value.length > max)
    throw invalid(`${field} must be text of at most ${max} characters.`, { field });
  return value;
};

/**
 * One page of the people an admin may see, filtered, searched (prefix of a name, UPN or email) and
 * sorted, with a continuation token: never "read everything". A Customer Admin's reach is enforced in
 * the query itself.
 */
export const listPeople = async (deps: ServiceDeps, identity: Identity, query: PeopleQuery): Promise<Page<Person>> => {
  const actor = (await requireActor(deps, identity)).value;
  const now = deps.clock.now();
  if (!can(actor, "people.read", null, now)) {
    if (activeRole(actor, now) === null)
      throw notAllowed("You do not have access to Access Desk.", { reason: "no-access" });
    throw notAllowed("Only admins can list people.", { reason: "not-an-admin" });
  }
  const role = optionalText("role", query.role, 40);
  if (role !== undefined && !isRole(role)) throw invalid("role is not one of the roles.", { field: "role" });
  const status = optionalText("status", query.status, 40);
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw invalid(`status must be one of ${STATUSES.join(", ")}.`, { field: "status" });
  }
  const sortField = optionalText("sort", query.sort, 40) ?? "name";
  if (!(PEOPLE_SORT_FIELDS as readonly string[]).includes(sortField)) {
    throw invalid(`sort must be one of ${PEOPLE_SORT_FIELDS.join(", ")}.`, { field: "sort" });
  }
  const order = optionalText("order", query.order, 4) ?? "asc";
  if (order !== "asc" && order !== "desc") throw invalid("order must be asc or desc.", { field: "order" });
  const pageSizeText = optionalText("pageSize", query.pageSize, 4);
  const pageSize = pageSizeText === undefined ? PAGE_SIZE.default : Number(pageSizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE.max) {
    throw invalid(`pageSize must be a whole number from 1 to ${PAGE_SIZE.max}.`, { field: "pageSize" });
  }
  const search = optionalText("search", query.search, 100)?.trim();

  const activeRoleNow = activeRole(actor, now)!;
  const access = actor.assignment!.tenantAccess;
  const reach =
    ROLE_DEFINITIONS[activeRoleNow].scope === "all-tenants" || access.kind === "all" ? undefined : access.tenantIds;
  const filter: PeopleFilter = {
    now: now.toISOString(),
    ...(search ? { search } : {}),
    ...(role ? { role } : {}),
    ...(status ? { status: status as PeopleFilter["status"] } : {}),
    ...(optionalText("tenant", query.tenant, 100) ? { tenantId: query.tenant as string } : {}),
    ...(reach ? { tenantIds: reach } : {}),
  };
  const sort: PeopleSort = { field: sortField as PeopleSort["field"], order };
  return deps.people.search(filter, sort, {
    pageSize,
    continuation: optionalText("continuation", query.continuation, 8_000) ?? null,
  });
};
