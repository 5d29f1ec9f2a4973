import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { z } from "zod/v4";
import { EntraStandIn } from "./entra-stand-in.js";
import { GraphStandIn, type StandInUser } from "./graph-stand-in.js";
import { everyone, type MockUser, type PlaygroundConfig } from "./playground.js";

/** The Graph app the bot signs in as: known only to the local Entra stand-in, so nothing secret. */
export const DEMO_GRAPH_CLIENT_ID = "0d15c0de-d3e0-4000-8000-000000000001";
export const DEMO_GRAPH_SECRET = "local-directory-demo-not-a-secret";
/** Where the stand-ins' certificate is written for GRAPH_CA_FILE (devTools/ is not committed). */
export const DEMO_CA_FILE = "devTools/directory-demo/entra-stand-in-ca.pem";

const MAX_BODY = 16 * 1024;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const newAccount = z.strictObject({
  id: z.string().regex(GUID, "must be an Entra object id (a GUID)").optional(),
  displayName: z.string().trim().min(1).max(256),
  userPrincipalName: z.string().trim().max(256).regex(UPN, "must look like name@domain"),
  mail: z.string().trim().max(256).regex(UPN, "must look like name@domain").nullable().optional(),
  accountEnabled: z.boolean().optional(),
});
const accountChange = z
  .strictObject({
    displayName: z.string().trim().min(1).max(256).optional(),
    userPrincipalName: z.string().trim().max(256).regex(UPN, "must look like name@domain").optional(),
    mail: z.string().trim().max(256).regex(UPN, "must look like name@domain").nullable().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, "name at least one of displayName, userPrincipalName, mail");

/** The accounts the directory starts with: the Playground's people, with the same ids, names and UPNs. */
export const mockAccounts = (playground: PlaygroundConfig): StandInUser[] =>
  everyone(playground).map((u) => ({
    id: u.aadObjectId.toLowerCase(),
    displayName: u.name,
    mail: u.email,
    userPrincipalName: u.userPrincipleName,
    accountEnabled: true,
  }));

/** A refusal of the control API: status and a message saying what to change. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `npm start -- --directory`: local stand-ins for Entra ID sign-in and Microsoft Graph holding the
 * Playground's people, so directory sync runs in local mode against the production Graph client; and a
 * small control API on loopback through which whoever runs the demo disables, enables, deletes, renames
 * and adds accounts, as an Entra admin would, and then watches the next sync offboard them.
 */
export class DirectoryDemo {
  private constructor(
    readonly directoryId: string,
    readonly entra: EntraStandIn,
    readonly graph: GraphStandIn,
    private readonly control: Server,
    /** The control API's base URL (plain HTTP, loopback only). */
    readonly url: string,
    /** The certificate file the bot trusts for sign-in and Graph. */
    readonly caFile: string,
  ) {}

  /**
   * Starts both stand-ins (on free ports) and the control API (on `controlPort`, or a free one when
   * that is taken), and writes the certificate to `caFile`.
   */
  static async start(options: {
    playground: PlaygroundConfig;
    caFile?: string;
    controlPort?: number;
  }): Promise<DirectoryDemo> {
    const directoryId = options.playground.tenantId.toLowerCase();
    const entra = await EntraStandIn.start([
      { clientId: DEMO_GRAPH_CLIENT_ID, secret: DEMO_GRAPH_SECRET, directories: [directoryId] },
    ]);
    const graph = await GraphStandIn.start(entra);
    for (const account of mockAccounts(options.playground)) graph.addUser(directoryId, account);
    const caFile = resolve(options.caFile ?? DEMO_CA_FILE);
    mkdirSync(dirname(caFile), { recursive: true });
    writeFileSync(caFile, entra.caPem);
    let demo: DirectoryDemo | undefined;
    const control = createServer((req, res) => void demo!.handle(req, res));
    const port = await listen(control, options.controlPort ?? 0);
    demo = new DirectoryDemo(directoryId, entra, graph, control, `http://127.0.0.1:${port}`, caFile);
    return demo;
  }

  /** The bot's settings that point directory sync at the stand-ins, synced every minute. */
  get botEnv(): Record<string, string> {
    return {
      GRAPH_AUTH: "client-secret",
      GRAPH_CLIENT_ID: DEMO_GRAPH_CLIENT_ID,
      GRAPH_CLIENT_SECRET: DEMO_GRAPH_SECRET,
      GRAPH_ENDPOINT: this.graph.url,
      ENTRA_AUTHORITY_HOST: this.entra.url,
      GRAPH_CA_FILE: this.caFile,
      DIRECTORY_SYNC_EVERY_MINUTES: "1",
    };
  }

  /** Accounts as the directory holds them now. */
  accounts(): StandInUser[] {
    return this.graph.users(this.directoryId);
  }

  /**
   * Ready-to-copy commands for the control API; `people` (the Playground's people who are not admins)
   * give the examples: the first leaves and comes back, the second is renamed, the third deleted.
   */
  examples(people: MockUser[]): string[] {
    const u = `${this.url}/demo/users`;
    const [leaver, renamed, deleted] = people.map((p) => ({ upn: p.userPrincipleName, name: p.name }));
    const json = "-H 'content-type: application/json'";
    return [
      `curl -s ${u}`,
      ...(leaver ? [`curl -s -X POST ${u}/${leaver.upn}/disable`, `curl -s -X POST ${u}/${leaver.upn}/enable`] : []),
      ...(renamed
        ? [`curl -s -X PATCH ${u}/${renamed.upn} ${json} -d '{"displayName":"${renamed.name} (Sales)"}'`]
        : []),
      ...(deleted ? [`curl -s -X DELETE ${u}/${deleted.upn}`] : []),
      `curl -s -X POST ${u} ${json} -d '{"displayName":"Nestor Wilke","userPrincipalName":"nestorw@contoso.example"}'`,
    ];
  }

  close(): Promise<void> {
    return new Promise<void>((done) => {
      this.control.closeAllConnections?.();
      this.control.close(() => done());
    }).then(() => Promise.all([this.graph.close(), this.entra.close()]).then(() => undefined));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    try {
      json(...(await this.route(req)));
    } catch (e) {
      if (e instanceof Refusal) json(e.status, { error: e.message });
      else json(500, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async route(req: IncomingMessage): Promise<[number, unknown]> {
    // A page in a browser must not change the directory behind the demo's back.
    const origin = req.headers.origin;
    if (origin && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin))
      throw new Refusal(403, `requests from ${origin} are refused: use curl or a page on loopback`);
    const path = new URL(req.url ?? "/", this.url).pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    if (path === "/demo/users") {
      if (method === "GET") return [200, { directoryId: this.directoryId, users: this.accounts() }];
      if (method === "POST") return [201, this.add(parse(newAccount, await readJson(req)))];
      throw new Refusal(405, `${method} ${path} is not supported: GET lists accounts, POST adds one`);
    }
    const action = /^\/demo\/users\/([^/]+)(?:\/(disable|enable))?$/.exec(path);
    if (!action) throw new Refusal(404, `no such path ${path}: see GET /demo/users`);
    const account = this.find(decodeURIComponent(action[1]!));
    const verb = action[2];
    if (verb) {
      if (method !== "POST") throw new Refusal(405, `use POST to ${verb} an account`);
      this.graph.updateUser(this.directoryId, account.id, { accountEnabled: verb === "enable" });
      return [200, this.find(account.id)];
    }
    if (method === "GET") return [200, account];
    if (method === "PATCH") {
      const change = parse(accountChange, await readJson(req));
      const upn = change.userPrincipalName?.toLowerCase();
      const holder =
        upn && this.accounts().find((a) => a.id !== account.id && a.userPrincipalName.toLowerCase() === upn);
      if (holder) throw new Refusal(409, `${holder.displayName} already has the UPN ${change.userPrincipalName}`);
      this.graph.updateUser(this.directoryId, account.id, change as Partial<StandInUser>);
      return [200, this.find(account.id)];
    }
    if (method === "DELETE") {
      // Entra's delete: the account goes to deleted users, and Graph's delta reports it removed.
      this.graph.removeUser(this.directoryId, account.id, "changed");
      return [200, { deleted: account }];
    }
    throw new Refusal(405, `${method} is not supported on an account: GET, PATCH, DELETE, POST …/disable or …/enable`);
  }

  /** An account by object id or UPN (any case). */
  private find(ref: string): StandInUser {
    const key = ref.trim().toLowerCase();
    const found = this.accounts().find((a) => a.id.toLowerCase() === key || a.userPrincipalName.toLowerCase() === key);
    if (!found) throw new Refusal(404, `no account ${ref} in directory ${this.directoryId}: see GET /demo/users`);
    return found;
  }

  private add(input: z.infer<typeof newAccount>): StandInUser {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const upn = input.userPrincipalName.toLowerCase();
    const taken = this.accounts().find((a) => a.id === id || a.userPrincipalName.toLowerCase() === upn);
    if (taken) throw new Refusal(409, `${taken.displayName} already has that ${taken.id === id ? "id" : "UPN"}`);
    const account: StandInUser = {
      id,
      displayName: input.displayName,
      userPrincipalName: input.userPrincipalName,
      mail: input.mail === undefined ? input.userPrincipalName : input.mail,
      accountEnabled: input.accountEnabled ?? true,
    };
    this.graph.addUser(this.directoryId, account);
    return account;
  }
}

/** Listens on loopback, on `port` if free, else on any free port; resolves with the port taken. */
const listen = (server: Server, port: number): Promise<number> =>
  new Promise((done, fail) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE" && port !== 0) {
        server.once("error", fail);
        server.listen(0, "127.0.0.1", () => done((server.address() as AddressInfo).port));
      } else fail(e);
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      done((server.address() as AddressInfo).port);
    });
  });

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((done, fail) => {
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
      return fail(new Refusal(415, "send a JSON body with content-type: application/json"));
    let data = "";
    req.on("data", (chunk: Buffer) => {
      data += chunk.toString();
      if (data.length > MAX_BODY) {
        fail(new Refusal(413, `the body is larger than ${MAX_BODY} bytes`));
        req.destroy();
      }
    });
    req.on("end", () => {
      try {
        done(JSON.parse(data));
      } catch {
        fail(new Refusal(400, "the body is not valid JSON"));
      }
    });
    req.on("error", fail);
  });

const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  throw new Refusal(400, field ? `${field}: ${issue.message}` : issue.message);
};
