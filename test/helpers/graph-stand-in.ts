import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { EntraStandIn } from "./entra-stand-in.js";

/** An account as the stand-in directory holds it. */
export type StandInUser = {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
};

const FIELDS = ["displayName", "mail", "userPrincipalName", "accountEnabled"] as const;
type Field = (typeof FIELDS)[number];

type Entry = { user: StandInUser; createdAt: number; changedAt: Record<Field, number> };
type Directory = {
  version: number;
  /** Bumped when delta tokens are expired: older tokens get 410 Gone. */
  generation: number;
  users: Map<string, Entry>;
  removed: Map<string, { at: number; reason: "changed" | "deleted" }>;
};

/** Where a delta query stands: `since` null is a full read; `upto` is the version it reads up to. */
type Cursor = { d: string; g: number; since: number | null; upto: number; offset: number };

const encode = (c: object) => Buffer.from(JSON.stringify(c)).toString("base64url");
const decode = (t: string): Cursor | null => {
  try {
    return JSON.parse(Buffer.from(t, "base64url").toString("utf8")) as Cursor;
  } catch {
    return null;
  }
};

/**
 * A stand-in for Microsoft Graph's `/users` delta query, over HTTPS, speaking its protocol: the bearer
 * token (from the Entra stand-in) is checked and names the directory; answers come in small pages
 * linked by `@odata.nextLink` and end with an `@odata.deltaLink` carrying a `$deltatoken`; a later
 * call with it returns only what changed since (an updated account with only its changed properties,
 * `@removed` for deleted ones). It can be told to throttle (429 with Retry-After) or to forget delta
 * tokens (410 Gone, `syncStateNotFound`).
 */
export class GraphStandIn {
  /** Every delta call: its query and the status answered. */
  readonly calls: Array<{ directoryId: string | null; query: string; status: number }> = [];
  /** Answers given before the real one, each once, in order (e.g. 429 with Retry-After). */
  readonly failures: Array<{ status: number; retryAfter?: string; code?: string }> = [];
  private readonly directories = new Map<string, Directory>();
  private constructor(
    private readonly server: Server,
    private readonly entra: EntraStandIn,
    readonly url: string,
    private readonly pageSize: number,
  ) {}

  static async start(entra: EntraStandIn, options: { pageSize?: number } = {}): Promise<GraphStandIn> {
    let standIn: GraphStandIn | undefined;
    const server = createServer(entra.tls, (req, res) => {
      void standIn!.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new GraphStandIn(server, entra, `https://127.0.0.1:${port}`, options.pageSize ?? 3);
    return standIn;
  }

  private dir(directoryId: string): Directory {
    let d = this.directories.get(directoryId);
    if (!d) {
      d = { version: 0, generation: 0, users: new Map(), removed: new Map() };
      this.directories.set(directoryId, d);
    }
    return d;
  }

  /** Creates an account (or restores a deleted one) in a directory. */
  addUser(directoryId: string, user: StandInUser): void {
    const d = this.dir(directoryId);
    const v = ++d.version;
    d.removed.delete(user.id);
    d.users.set(user.id, {
      user: { ...user },
      createdAt: v,
      changedAt: Object.fromEntries(FIELDS.map((f) => [f, v])) as Record<Field, number>,
    });
  }

  /** Changes some properties of an account. */
  updateUser(directoryId: string, id: string, patch: Partial<Omit<StandInUser, "id">>): void {
    const d = this.dir(directoryId);
    const entry = d.users.get(id);
    if (!entry) throw new Error(`no account ${id}`);
    const v = ++d.version;
    for (const f of FIELDS) {
      if (patch[f] !== undefined && patch[f] !== entry.user[f]) {
        (entry.user as Record<Field, unknown>)[f] = patch[f];
        entry.changedAt[f] = v;
      }
    }
  }

  /** Deletes an account: "changed" is Entra's soft delete, "deleted" the final one. */
  removeUser(directoryId: string, id: string, reason: "changed" | "deleted" = "deleted"): void {
    const d = this.dir(directoryId);
    d.users.delete(id);
    d.removed.set(id, { at: ++d.version, reason });
  }

  /** Makes every delta token handed out so far for the directory unknown (Graph answers 410 Gone). */
  expireDeltaTokens(directoryId: string): void {
    this.dir(directoryId).generation++;
  }

  users(directoryId: string): StandInUser[] {
    return [...this.dir(directoryId).users.values()].map((e) => ({ ...e.user }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json;odata.metadata=minimal", ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      json(status, { error: { code, message, innerError: { date: new Date().toISOString() } } }, headers);
    const record = (directoryId: string | null, status: number) =>
      this.calls.push({ directoryId, query: url.search, status });

    if (req.method !== "GET" || url.pathname !== "/v1.0/users/delta")
      return fail(404, "Request_ResourceNotFound", "Not found.");
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    let directoryId: string;
    try {
      if (!bearer) throw new Error("no token");
      const claims = await this.entra.verify(bearer, this.url);
      directoryId = String(claims.tid);
      if (!Array.isArray(claims.roles) || !claims.roles.includes("User.Read.All")) {
        record(directoryId, 403);
        return fail(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
      }
    } catch {
      record(null, 401);
      return fail(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
    }
    const injected = this.failures.shift();
    if (injected) {
      record(directoryId, injected.status);
      return fail(
        injected.status,
        injected.code ?? (injected.status === 429 ? "TooManyRequests" : "serviceNotAvailable"),
        "Injected by the test.",
        injected.retryAfter !== undefined ? { "retry-after": injected.retryAfter } : {},
      );
    }
    const d = this.dir(directoryId);
    const skip = url.searchParams.get("$skiptoken");
    const delta = url.searchParams.get("$deltatoken");
    let cursor: Cursor | null;
    if (skip) cursor = decode(skip);
    else if (delta) {
      const c = decode(delta);
      cursor = c && { ...c, since: c.upto, upto: d.version, offset: 0 };
    } else {
      if (url.searchParams.get("$select") !== "id,displayName,mail,userPrincipalName,accountEnabled") {
        record(directoryId, 400);
        return fail(
          400,
          "Request_BadRequest",
          "The sync reads id, displayName, mail, userPrincipalName, accountEnabled.",
        );
      }
      cursor = { d: directoryId, g: d.generation, since: null, upto: d.version, offset: 0 };
    }
    if (!cursor || cursor.d !== directoryId) {
      record(directoryId, 400);
      return fail(400, "Request_BadRequest", "Invalid delta or skip token.");
    }
    if (cursor.g !== d.generation) {
      record(directoryId, 410);
      return fail(
        410,
        "syncStateNotFound",
        "The sync state generation is not found. The delta token is expired or invalid.",
      );
    }
    const entries = this.entries(d, cursor);
    const pageItems = entries.slice(cursor.offset, cursor.offset + this.pageSize);
    const more = cursor.offset + this.pageSize < entries.length;
    const body: Record<string, unknown> = {
      "@odata.context": `${this.url}/v1.0/$metadata#users(id,displayName,mail,userPrincipalName,accountEnabled)`,
      value: pageItems,
    };
    if (more)
      body["@odata.nextLink"] =
        `${this.url}/v1.0/users/delta?$skiptoken=${encode({ ...cursor, offset: cursor.offset + this.pageSize })}`;
    else
      body["@odata.deltaLink"] =
        `${this.url}/v1.0/users/delta?$deltatoken=${encode({ d: directoryId, g: d.generation, since: null, upto: cursor.upto, offset: 0 })}`;
    record(directoryId, 200);
    json(200, body);
  }

  /** What a read returns: every account (full), or only changes after `since` with changed properties. */
  private entries(d: Directory, c: Cursor): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const [id, e] of d.users) {
      if (e.createdAt > c.upto) continue;
      if (c.since === null || e.createdAt > c.since) {
        out.push({ ...e.user });
        continue;
      }
      const changed = FIELDS.filter((f) => e.changedAt[f] > c.since! && e.changedAt[f] <= c.upto);
      if (changed.length > 0) out.push({ id, ...Object.fromEntries(changed.map((f) => [f, e.user[f]])) });
    }
    if (c.since !== null) {
      for (const [id, r] of d.removed) {
        if (r.at > c.since && r.at <= c.upto)
          out.push({ "@odata.type": "#microsoft.graph.user", id, "@removed": { reason: r.reason } });
      }
    }
    return out.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}
