import type { TokenCredential } from "@azure/identity";
import { z } from "zod";
import type { DirectorySyncConfig, GraphAuth } from "../config.js";
import {
  DirectoryResyncRequired,
  DirectoryUnavailable,
  type DirectoryAccount,
  type DirectoryPage,
  type DirectoryReader,
  type Logger,
} from "../services/ports.js";
import { graphCredential, signInFailure, trustedCas } from "./graph-credential.js";
import { GraphHttp, type GraphResponse } from "./graph-http.js";

/** The properties directory sync reads; everything else about an account stays in Entra. */
export const SELECT = "id,displayName,mail,userPrincipalName,accountEnabled";

/** Attempts per Graph call when it is throttled (429) or briefly unavailable (502, 503, 504, network). */
const ATTEMPTS = 5;
/** Longest wait honoured from a Retry-After header. */
const MAX_RETRY_AFTER_MS = 120_000;
/** Error codes with which Graph says a delta link's sync state is gone. */
const RESYNC_CODES = new Set(["syncStateNotFound", "resyncRequired", "syncStateInvalid"]);

const account = z
  .object({
    id: z.string().min(1).max(100),
    displayName: z.string().max(1000).nullish(),
    mail: z.string().max(1000).nullish(),
    userPrincipalName: z.string().max(1000).nullish(),
    accountEnabled: z.boolean().nullish(),
    "@removed": z.object({ reason: z.string() }).optional(),
  })
  .passthrough();
const page = z.object({
  value: z.array(account),
  "@odata.nextLink": z.string().optional(),
  "@odata.deltaLink": z.string().optional(),
});
const graphError = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

const toAccount = (a: z.infer<typeof account>): DirectoryAccount => {
  if (a["@removed"])
    return { kind: "removed", id: a.id, reason: a["@removed"].reason === "deleted" ? "deleted" : "changed" };
  const out: DirectoryAccount = { kind: "account", id: a.id };
  // A property left out of an incremental answer did not change: keep it absent, not null.
  if ("displayName" in a) out.displayName = a.displayName ?? null;
  if ("mail" in a) out.mail = a.mail ?? null;
  if ("userPrincipalName" in a) out.userPrincipalName = a.userPrincipalName ?? null;
  if ("accountEnabled" in a) out.accountEnabled = a.accountEnabled ?? null;
  return out;
};

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date), capped; null when absent. */
export const retryAfterMs = (value: string | string[] | undefined, nowMs: number): number | null => {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - nowMs;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : null;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads directories through Microsoft Graph's `/users` delta query, signing in per directory with the
 * configured credential. Throttling and brief outages are retried a bounded number of times.
 */
export class GraphDirectoryReader implements DirectoryReader {
  private readonly credentials = new Map<string, TokenCredential>();
  private readonly http: GraphHttp;
  private readonly scope: string;

  constructor(
    private readonly auth: GraphAuth,
    private readonly config: Pick<DirectorySyncConfig, "graphEndpoint" | "authorityHost" | "caPem">,
    private readonly logger: Logger,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {
    this.http = new GraphHttp(trustedCas(config.caPem));
    this.scope = `${config.graphEndpoint}/.default`;
  }

  readable(allowedDirectoryIds: readonly string[]): string[] {
    // A managed identity lives in one directory (the MSP's own, listed first) and can read only that one.
    return this.auth.kind === "managed-identity" ? allowedDirectoryIds.slice(0, 1) : [...allowedDirectoryIds];
  }

  async readPage(directoryId: string, link: string | null): Promise<DirectoryPage> {
    const url = link ?? `${this.config.graphEndpoint}/v1.0/users/delta?$select=${SELECT}`;
    if (new URL(url).origin !== new URL(this.config.graphEndpoint).origin) {
      // A link from elsewhere would receive the directory's token: never follow it.
      throw new DirectoryUnavailable(directoryId, "Graph gave a link to another host");
    }
    const res = await this.call(directoryId, url);
    const parsed = page.safeParse(res.body);
    if (!parsed.success) throw new DirectoryUnavailable(directoryId, "Graph answered with an unexpected page");
    const next = parsed.data["@odata.nextLink"] ?? null;
    const delta = parsed.data["@odata.deltaLink"] ?? null;
    if (next === null && delta === null)
      throw new DirectoryUnavailable(directoryId, "Graph's page had neither a next link nor a delta link");
    return { accounts: parsed.data.value.map(toAccount), nextLink: next, deltaLink: next ? null : delta };
  }

  close(): void {
    this.http.close();
  }

  private credential(directoryId: string): TokenCredential {
    let c = this.credentials.get(directoryId);
    if (!c) {
      c = graphCredential(this.auth, directoryId, this.config);
      this.credentials.set(directoryId, c);
    }
    return c;
  }

  private async token(directoryId: string): Promise<string> {
    try {
      const t = await this.credential(directoryId).getToken(this.scope);
      if (!t) throw new Error("no token");
      return t.token;
    } catch (e) {
      throw new DirectoryUnavailable(directoryId, signInFailure(e), e);
    }
  }

  /** One GET with retries on 429/502/503/504 and network errors, honouring Retry-After. */
  private async call(directoryId: string, url: string): Promise<GraphResponse> {
    let lastReason = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const token = await this.token(directoryId);
      let res: GraphResponse;
      try {
        res = await this.http.get(url, { authorization: `Bearer ${token}` });
      } catch (e) {
        lastReason = `Graph unreachable: ${e instanceof Error ? e.message : String(e)}`;
        if (attempt < ATTEMPTS) await this.wait(this.backoff(attempt));
        continue;
      }
      if (res.status === 200) return res;
      const error = graphError.safeParse(res.body);
      const code = error.success ? error.data.error.code : "";
      if (res.status === 410 || RESYNC_CODES.has(code)) throw new DirectoryResyncRequired(directoryId);
      if ([429, 502, 503, 504].includes(res.status)) {
        lastReason = `Graph answered ${res.status}${code ? ` ${code}` : ""}`;
        if (attempt < ATTEMPTS) {
          const waitMs = retryAfterMs(res.headers["retry-after"], Date.now()) ?? this.backoff(attempt);
          this.logger.info({ directoryId, status: res.status, attempt, waitMs }, "Graph asked to wait; retrying");
          await this.wait(waitMs);
        }
        continue;
      }
      const message = error.success ? (error.data.error.message ?? "").slice(0, 200) : "";
      const hint = res.status === 403 ? " (is the User.Read.All application permission consented?)" : "";
      throw new DirectoryUnavailable(
        directoryId,
        `Graph refused with ${res.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}${hint}`,
      );
    }
    throw new DirectoryUnavailable(directoryId, `${lastReason} after ${ATTEMPTS} attempts`);
  }

  private backoff(attempt: number): number {
    return Math.min(1000 * 2 ** (attempt - 1), 30_000) * (0.5 + Math.random() / 2);
  }
}
