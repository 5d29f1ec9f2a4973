import type { Container } from "@azure/cosmos";
import type { AccessRequest } from "../../src/domain/access-request.js";
import type { AuditEvent } from "../../src/domain/audit.js";
import type { Who } from "./activities.js";

export const ADMIN_CHANNEL = "19:admins@thread.tacv2";
/** A Teams user with a valid object id. */
export const person = (n: number, kind = "a"): Who => {
  const hex = n.toString(16).padStart(12, "0");
  return {
    id: `29:${kind}${n}`,
    aadObjectId: `${kind === "a" ? "aaaaaaaa" : "bbbbbbbb"}-0000-4000-8000-${hex}`,
    name: `${kind === "a" ? "Requester" : "Admin"} ${n}`,
  };
};

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
export const eventually = async (what: string, check: () => Promise<boolean> | boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

export const requestsIn = async (container: Container) =>
  (await container.items.query<AccessRequest>("SELECT * FROM c WHERE c.type = 'request'").fetchAll()).resources;
export const auditIn = async (container: Container, action: string) =>
  (
    await container.items
      .query<AuditEvent>({
        query: "SELECT * FROM c WHERE c.type = 'audit' AND c.action = @a",
        parameters: [{ name: "@a", value: action }],
      })
      .fetchAll()
  ).resources;
