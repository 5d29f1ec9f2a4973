import type { Request, Response, Server } from "restify";
import { stringify } from "csv-stringify/sync";
import { z } from "zod/v4";
import type { AuditEvent } from "../domain/audit.js";
import type { AccessRow } from "../services/read-audit.js";
import type { ReviewItem } from "../domain/access-review.js";
import type { AccessRequest } from "../domain/access-request.js";
import type { Identity } from "../domain/person.js";
import type { AppServices } from "../services/index.js";
import type { Logger } from "../services/ports.js";
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { rateLimited } from "../domain/errors.js";
import { badInputFrom, BadInput, httpErrorOf } from "./errors.js";
import { correlationIdOf } from "./server.js";
import type { TabAuthenticator } from "./tab-auth.js";
import { auditView, personView, requestView, tenantView } from "./views.js";

export type ApiOptions = {
  services: AppServices;
  authenticate: TabAuthenticator;
  logger: Logger;
  /** API calls one person may make per minute (per instance); more get 429 with Retry-After. */
  callsPerMinute: number;
};

type Download = { filename: string; format: "csv" | "jsonl"; lines: AsyncIterable<string> };
type Result = { status?: number; body: unknown; etag?: string; download?: Download };

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" } as const;

/** Rows as a file: CSV (spreadsheet formulas neutralised) or JSON Lines, one line per row. */
const fileLines = async function* <T>(
  rows: AsyncIterable<T>,
  format: "csv" | "jsonl",
  columns: ReadonlyArray<readonly [string, (row: T) => unknown]>,
): AsyncIterable<string> {
  if (format === "jsonl") {
    for await (const row of rows) yield `${JSON.stringify(row)}\n`;
    return;
  }
  const csv = (cells: unknown[]) =>
    stringify(
      [cells.map((c) => (c === null || c === undefined ? "" : typeof c === "object" ? JSON.stringify(c) : c))],
      {
        escape_formulas: true,
        record_delimiter: "windows",
      },
    );
  yield `\uFEFF${csv(columns.map(([name]) => name))}`; // the BOM makes spreadsheet apps read UTF-8
  for await (const row of rows) yield csv(columns.map(([, cell]) => cell(row)));
};

const AUDIT_COLUMNS: ReadonlyArray<readonly [string, (e: AuditEvent) => unknown]> = [
  ["at", (e) => e.at],
  ["action", (e) => e.action],
  ["actorId", (e) => e.actor.personId],
  ["actorName", (e) => e.actor.name],
  ["subjectKind", (e) => e.subject.kind],
  ["subjectId", (e) => e.subject.id],
  ["subjectName", (e) => e.subject.name],
  ["tenantId", (e) => e.tenantId],
  ["reason", (e) => e.reason],
  ["before", (e) => e.before],
  ["after", (e) => e.after],
  ["correlationId", (e) => e.correlationId],
  ["chain", (e) => e.personId],
  ["seq", (e) => e.seq],
  ["prevHash", (e) => e.prevHash],
  ["hash", (e) => e.hash],
];

const ACCESS_COLUMNS: ReadonlyArray<readonly [string, (r: AccessRow) => unknown]> = [
  ["name", (r) => r.name],
  ["upn", (r) => r.upn],
  ["email", (r) => r.email],
  ["personId", (r) => r.personId],
  ["directoryId", (r) => r.directoryId],
  ["homeTenant", (r) => r.homeTenant],
  ["role", (r) => r.role],
  ["tenantAccess", (r) => r.tenantAccess],
  ["expiresAt", (r) => r.expiresAt],
  ["grantedBy", (r) => r.grantedBy],
  ["grantedAt", (r) => r.grantedAt],
  ["justification", (r) => r.justification],
  ["requestId", (r) => r.requestId],
];

const REVIEW_COLUMNS: ReadonlyArray<readonly [string, (i: ReviewItem) => unknown]> = [
  ["name", (i) => i.name],
  ["upn", (i) => i.upn],
  ["personId", (i) => i.personId],
  ["tenantId", (i) => i.tenantId],
  ["role", (i) => i.assignment.role],
  [
    "tenantAccess",
    (i) => (i.assignment.tenantAccess.kind === "all" ? "all" : i.assignment.tenantAccess.tenantIds.join(" ")),
  ],
  ["expiresAt", (i) => i.assignment.expiresAt],
  ["grantedBy", (i) => i.assignment.grantedBy.name],
  ["grantedAt", (i) => i.assignment.grantedAt],
  ["justification", (i) => i.assignment.justification],
  ["outcome", (i) => (i.superseded ? "changed-meanwhile" : (i.decision?.outcome ?? "undecided"))],
  ["decidedBy", (i) => i.decision?.by.name],
  ["decidedAt", (i) => i.decision?.at],
  ["byDefault", (i) => (i.decision ? String(i.decision.byDefault) : "")],
  ["reason", (i) => i.decision?.reason],
];

const exportFormat = (value: unknown): "csv" | "jsonl" => {
  if (value === "csv" || value === "jsonl") return value;
  throw new BadInput("format must be csv or jsonl.", "format");
};

const fileDate = (now: Date) => now.toISOString().slice(0, 10);

// Bodies: unknown fields are refused; sizes are bounded here, meanings are checked by the services.
const text = (max: number) => z.string().max(max);
const tenantAccess = z.union([z.literal("all"), z.array(text(100)).max(500)]);
const schemas = {
  assignment: z.strictObject({
    role: text(40).nullable(),
    tenantAccess: tenantAccess.optional(),
    expiry: text(10).optional(),
    reason: text(2000),
  }),
  grant: z.strictObject({ role: text(40), tenantAccess, expiry: text(10), reason: text(2000) }),
  reason: z.strictObject({ reason: text(2000) }),
  approve: z.strictObject({ role: text(40), tenantAccess, expiry: text(10), comment: text(2000).optional() }),
  newTenant: z.strictObject({ name: text(200), directoryId: text(100).nullable().optional() }),
  tenantChange: z.strictObject({ name: text(200).optional(), directoryId: text(100).nullable().optional() }),
  peopleQuery: z.strictObject({
    search: text(100).optional(),
    role: text(40).optional(),
    status: text(40).optional(),
    tenant: text(100).optional(),
    sort: text(40).optional(),
    order: text(4).optional(),
    pageSize: text(4).optional(),
    continuation: text(8000).optional(),
  }),
  auditQuery: z.strictObject({
    action: text(60).optional(),
    person: text(100).optional(),
    who: text(100).optional(),
    from: text(40).optional(),
    to: text(40).optional(),
    pageSize: text(4).optional(),
    continuation: text(8000).optional(),
    format: text(10).optional(),
  }),
  reportQuery: z.strictObject({ format: text(10).optional() }),
  empty: z.strictObject({}),
  reviewQuery: z.strictObject({
    undecided: text(5).optional(),
    pageSize: text(4).optional(),
    continuation: text(8000).optional(),
  }),
  reviewDecision: z.strictObject({ outcome: text(10), reason: text(2000).optional() }),
  requestsQuery: z.strictObject({
    status: z.literal("pending"),
    pageSize: text(4).optional(),
    continuation: text(8000).optional(),
  }),
};

const parse = <T extends z.ZodType>(schema: T, value: unknown): z.infer<T> => {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw badInputFrom(result.error);
  return result.data;
};

/** If-Match is required on every change, so that nobody overwrites what they have not seen (428 without it). */
const ifMatch = (req: Request): string => {
  const value = req.header("if-match");
  if (!value)
    throw Object.assign(new BadInput("If-Match is required: send the ETag you read.", "If-Match"), { status: 428 });
  return value;
};

const quoted = (etag: string) => (etag.startsWith('"') || etag.startsWith("W/") ? etag : `"${etag}"`);

const alreadyDecided = (request: AccessRequest) => {
  const d = request.decision;
  return {
    status: 409,
    body: {
      error: "already-decided",
      message: d ? `Already ${d.outcome} by ${d.by.name} at ${d.at}.` : `This request is already ${request.status}.`,
      request: requestView(request),
    },
  };
};

/** The People tab's JSON API. Every call is authenticated, and every action re-read and re-checked by a service. */
export const registerApiRoutes = (server: Server, { services, authenticate, logger, callsPerMinute }: ApiOptions) => {
  const log = logger.child({ area: "api" });
  const now = () => services.clock.now();
  const limiter = new RateLimiterMemory({ points: callsPerMinute, duration: 60 });
  const withinLimit = async (who: Identity) => {
    try {
      await limiter.consume(who.objectId);
    } catch (e) {
      const wait = Math.max(1, Math.ceil(((e as RateLimiterRes).msBeforeNext ?? 1000) / 1000));
      throw rateLimited(`Too many requests: try again in ${wait} s.`, wait);
    }
  };

  const route =
    (action: string, handler: (req: Request, who: Identity) => Promise<Result>) =>
    async (req: Request, res: Response) => {
      let who: Identity | null = null;
      const correlationId = correlationIdOf(req);
      res.header("Cache-Control", "no-store");
      try {
        who = await authenticate(req.header("authorization"));
        await withinLimit(who);
        const result = await handler(req, who);
        if (result.etag) res.header("ETag", quoted(result.etag));
        if (result.download) {
          await sendDownload(res, result.download, correlationId);
          return;
        }
        res.send(result.status ?? 200, result.body);
      } catch (e) {
        const { status, body, retryAfter } = httpErrorOf(e);
        const final = (e as { status?: number }).status ?? status;
        const entry = {
          correlationId,
          action,
          actor: who?.objectId ?? null,
          directory: who?.directoryId ?? null,
          status: final,
          reason: body.message,
        };
        if (final >= 500) log.error({ ...entry, err: e }, "api call failed");
        else log.info(entry, "api call refused");
        if (retryAfter !== undefined) res.header("Retry-After", String(retryAfter));
        res.send(final, { ...body, correlationId });
      }
    };

  /** Streams a file; a failure after the first byte cuts the connection, so a partial file is never taken as whole. */
  const sendDownload = async (res: Response, download: Download, correlationId: string) => {
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[download.format],
      "Content-Disposition": `attachment; filename="${download.filename}.${download.format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    try {
      for await (const line of download.lines) {
        if (!res.write(line)) await new Promise((resolve) => res.once("drain", resolve));
      }
      res.end();
    } catch (err) {
      log.error({ err, correlationId, file: download.filename }, "export failed part-way; connection cut");
      res.destroy();
    }
  };

  server.get(
    "/api/audit",
    route("list-audit", async (req, who) => {
      const q = parse(schemas.auditQuery, req.query);
      if (q.format !== undefined) throw new BadInput("format belongs to /api/audit/export.", "format");
      const page = await services.listAudit(who, q);
      return { body: { items: page.items.map(auditView), continuation: page.continuation } };
    }),
  );

  server.get(
    "/api/audit/export",
    route("export-audit", async (req, who) => {
      const { format, continuation, pageSize, ...filter } = parse(schemas.auditQuery, req.query);
      if (continuation !== undefined || pageSize !== undefined)
        throw new BadInput(
          "An export has every matching event: no paging.",
          continuation ? "continuation" : "pageSize",
        );
      const kind = exportFormat(format);
      const events = await services.exportAudit(who, filter);
      return {
        body: null,
        download: {
          filename: `access-desk-audit-${fileDate(now())}`,
          format: kind,
          lines: fileLines(events, kind, AUDIT_COLUMNS),
        },
      };
    }),
  );

  server.get(
    "/api/reports/access",
    route("access-report", async (req, who) => {
      const kind = exportFormat(parse(schemas.reportQuery, req.query).format);
      const rows = await services.accessReport(who);
      return {
        body: null,
        download: {
          filename: `access-desk-who-has-access-${fileDate(now())}`,
          format: kind,
          lines: fileLines(rows, kind, ACCESS_COLUMNS),
        },
      };
    }),
  );

  server.get(
    "/api/reviews",
    route("list-reviews", async (_req, who) => ({ body: { items: await services.listReviews(who) } })),
  );

  server.post(
    "/api/reviews",
    route("start-review", async (req, who) => {
      parse(schemas.empty, req.body);
      const result = await services.startAccessReview(who);
      return result.kind === "started"
        ? { status: 201, body: { review: result.review } }
        : {
            status: 409,
            body: {
              error: "review-open",
              message: `An access review is already open until ${result.review.deadline}.`,
              review: result.review,
            },
          };
    }),
  );

  server.get(
    "/api/reviews/:id",
    route("get-review", async (req, who) => ({
      body: await services.getReview(who, req.params.id, parse(schemas.reviewQuery, req.query)),
    })),
  );

  server.post(
    "/api/reviews/:id/items/:personId",
    route("review-decision", async (req, who) => {
      const b = parse(schemas.reviewDecision, req.body);
      const result = await services.decideReviewItem({
        identity: who,
        reviewId: req.params.id,
        personId: req.params.personId,
        outcome: b.outcome,
        reason: b.reason,
      });
      if (result.kind === "decided") return { body: { item: result.item } };
      const d = result.item.decision;
      return {
        status: 409,
        body:
          result.kind === "superseded"
            ? {
                error: "superseded",
                message: "This person's access changed after the review started; nothing to decide.",
                item: result.item,
              }
            : {
                error: "already-decided",
                message: `Already ${d!.outcome === "keep" ? "kept" : "revoked"} by ${d!.by.name} at ${d!.at}.`,
                item: result.item,
              },
      };
    }),
  );

  server.get(
    "/api/reviews/:id/export",
    route("export-review", async (req, who) => {
      const kind = exportFormat(parse(schemas.reportQuery, req.query).format);
      const { review, items } = await services.exportReview(who, req.params.id);
      return {
        body: null,
        download: { filename: `access-desk-${review.id}`, format: kind, lines: fileLines(items, kind, REVIEW_COLUMNS) },
      };
    }),
  );

  server.get(
    "/api/me",
    route("me", async (_req, who) => {
      const me = await services.getMe(who);
      return {
        body: {
          identity: me.identity,
          person: me.person ? personView(me.person, now()) : null,
          role: me.role,
          permissions: me.permissions,
          tenants: me.tenants.map(tenantView),
        },
      };
    }),
  );

  server.get(
    "/api/people",
    route("list-people", async (req, who) => {
      const page = await services.listPeople(who, parse(schemas.peopleQuery, req.query));
      return { body: { items: page.items.map((p) => personView(p, now())), continuation: page.continuation } };
    }),
  );

  server.get(
    "/api/people/:id",
    route("get-person", async (req, who) => {
      const d = await services.getPerson(who, req.params.id);
      return {
        etag: d.etag,
        body: {
          person: personView(d.person, now()),
          requests: d.requests.map(requestView),
          history: d.history.map(auditView),
        },
      };
    }),
  );

  server.patch(
    "/api/people/:id/assignment",
    route("change-assignment", async (req, who) => {
      const etag = ifMatch(req);
      const b = parse(schemas.assignment, req.body);
      const saved = await services.changeAssignment({
        actor: who,
        personId: req.params.id,
        etag,
        mode: "change",
        ...b,
      });
      return { etag: saved.etag, body: { person: personView(saved.value, now()) } };
    }),
  );

  server.post(
    "/api/people/:id/grant",
    route("grant", async (req, who) => {
      const etag = ifMatch(req);
      const b = parse(schemas.grant, req.body);
      const saved = await services.changeAssignment({ actor: who, personId: req.params.id, etag, mode: "grant", ...b });
      return { etag: saved.etag, body: { person: personView(saved.value, now()) } };
    }),
  );

  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    server.post(
      `/api/people/:id/${verb}`,
      route(verb, async (req, who) => {
        const etag = ifMatch(req);
        const { reason } = parse(schemas.reason, req.body);
        const saved = await services.setPersonEnabled({ actor: who, personId: req.params.id, etag, enabled, reason });
        return { etag: saved.etag, body: { person: personView(saved.value, now()) } };
      }),
    );
  }

  server.get(
    "/api/requests",
    route("list-requests", async (req, who) => {
      const q = parse(schemas.requestsQuery, req.query);
      const pageSize = q.pageSize === undefined ? 50 : Number(q.pageSize);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200)
        throw new BadInput("pageSize must be from 1 to 200.", "pageSize");
      const page = await services.listPendingRequests(who, { pageSize, continuation: q.continuation ?? null });
      return { body: { items: page.items.map(requestView), continuation: page.continuation, total: page.total } };
    }),
  );

  server.post(
    "/api/requests/:id/approve",
    route("approve", async (req, who) => {
      const b = parse(schemas.approve, req.body);
      const result = await services.decideAccessRequest({
        actor: who,
        requestId: req.params.id,
        decision: { kind: "approve", role: b.role, tenantAccess: b.tenantAccess, expiry: b.expiry, comment: b.comment },
      });
      return result.kind === "already-decided"
        ? alreadyDecided(result.request)
        : { body: { request: requestView(result.request) } };
    }),
  );

  server.post(
    "/api/requests/:id/deny",
    route("deny", async (req, who) => {
      const { reason } = parse(schemas.reason, req.body);
      const result = await services.decideAccessRequest({
        actor: who,
        requestId: req.params.id,
        decision: { kind: "deny", reason },
      });
      return result.kind === "already-decided"
        ? alreadyDecided(result.request)
        : { body: { request: requestView(result.request) } };
    }),
  );

  server.get(
    "/api/tenants",
    route("list-tenants", async (_req, who) => ({
      body: {
        items: (await services.listTenantsFor(who)).map((t) => ({ ...tenantView(t.value), etag: quoted(t.etag) })),
      },
    })),
  );

  server.post(
    "/api/tenants",
    route("create-tenant", async (req, who) => {
      const created = await services.createTenant(who, parse(schemas.newTenant, req.body));
      return { status: 201, etag: created.etag, body: { tenant: tenantView(created.value) } };
    }),
  );

  server.patch(
    "/api/tenants/:id",
    route("update-tenant", async (req, who) => {
      const etag = ifMatch(req);
      const b = parse(schemas.tenantChange, req.body);
      const saved = await services.updateTenant(who, { tenantId: req.params.id, etag, ...b });
      return { etag: saved.etag, body: { tenant: tenantView(saved.value) } };
    }),
  );
};
