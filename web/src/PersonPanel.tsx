import {
  Badge,
  Button,
  Divider,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  OverlayDrawer,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import { useEffect, useState, type ReactNode } from "react";
import { api, ApiError, type AccessRequest, type AuditEvent, type Me, type Person } from "./api";
import { fitTenantAccess, GrantFields, tenantAccessBody, type GrantValue } from "./GrantFields";
import {
  ACTION_LABELS,
  formatDate,
  grantableBy,
  ROLE_LABELS,
  SOURCE_LABELS,
  STATUS_LABELS,
  tenantAccessText,
} from "./labels";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: "12px", marginBottom: "20px" },
  facts: { display: "grid", gridTemplateColumns: "max-content 1fr", columnGap: "16px", rowGap: "4px", margin: 0 },
  term: { color: tokens.colorNeutralForeground3 },
  buttons: { display: "flex", gap: "8px", flexWrap: "wrap" },
  history: { listStyleType: "none", padding: 0, margin: 0, display: "flex", flexDirection: "column", gap: "8px" },
  subtle: { color: tokens.colorNeutralForeground3 },
  inline: { maxWidth: "760px" },
});

type Detail = { person: Person; requests: AccessRequest[]; history: AuditEvent[]; etag: string };

/** A person: who they are, their access (editable by an admin who may), enable/disable, and their history. */
export const PersonPanel = ({
  personId,
  me,
  onClose,
  onChanged,
  inline = false,
}: {
  personId: string;
  me: Me;
  onClose: () => void;
  onChanged: () => void;
  inline?: boolean;
}) => {
  const s = useStyles();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<{ message: string; stale: boolean; field?: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [grant, setGrant] = useState<GrantValue | null>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setError(null);
    try {
      const r = await api.person(personId);
      setDetail({ ...r.body, etag: r.etag ?? "" });
      const a = r.body.person.assignment;
      const home = r.body.person.homeTenantId;
      const allowed = grantableBy(me.role);
      const proposed = home === "msp" && allowed.includes("msp-user") ? "msp-user" : "customer-user";
      const role = a && allowed.includes(a.role) ? a.role : proposed;
      setGrant({
        role,
        tenantAccess: a
          ? a.tenantAccess.kind === "all"
            ? ["all"]
            : a.tenantAccess.tenantIds
          : fitTenantAccess(role, [], home),
        expiry: "never",
      });
    } catch (e) {
      setError({ message: e instanceof ApiError ? e.message : String(e), stale: false });
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [personId]);

  const canManage = me.permissions.includes("people.manage") && detail?.person.id !== me.person?.id;

  const act = async (what: string, run: (etag: string) => Promise<unknown>) => {
    if (!detail) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await run(detail.etag);
      setReason("");
      // Say it is done once the panel shows the person as stored now.
      await load();
      setSaved(what);
      onChanged();
    } catch (e) {
      if (e instanceof ApiError)
        setError({ message: e.message, stale: e.status === 412, ...(e.field ? { field: e.field } : {}) });
      else setError({ message: String(e), stale: false });
    } finally {
      setBusy(false);
    }
  };

  const p = detail?.person;
  const a = p?.assignment;
  const reasonMissing = reason.trim().length === 0;
  const body: ReactNode = !detail ? (
    error ? (
      <MessageBar intent="error" role="alert">
        <MessageBarBody>{error.message}</MessageBarBody>
      </MessageBar>
    ) : (
      <Spinner label="Loading person…" />
    )
  ) : (
    <>
      <section className={s.section} aria-label="Who">
        <dl className={s.facts}>
          <dt className={s.term}>UPN</dt>
          <dd>{p!.upn ?? "—"}</dd>
          <dt className={s.term}>Email</dt>
          <dd>{p!.email ?? "—"}</dd>
          <dt className={s.term}>Entra object id</dt>
          <dd>{p!.objectId}</dd>
          <dt className={s.term}>Tenant</dt>
          <dd>{me.tenants.find((t) => t.id === p!.homeTenantId)?.name ?? "—"}</dd>
          <dt className={s.term}>Source</dt>
          <dd>{SOURCE_LABELS[p!.source] ?? p!.source}</dd>
          <dt className={s.term}>Status</dt>
          <dd>
            <Badge
              appearance="tint"
              color={p!.status === "user" ? "success" : p!.status === "disabled" ? "danger" : "informative"}
            >
              {STATUS_LABELS[p!.status]}
            </Badge>
            {p!.disabledInDirectory ? ` · account ${p!.disabledInDirectory} in Entra ID` : ""}
            {p!.pendingRequestId ? " · pending request" : ""}
          </dd>
          <dt className={s.term}>Role</dt>
          <dd>{a ? ROLE_LABELS[a.role] : "No access"}</dd>
          <dt className={s.term}>Tenant access</dt>
          <dd>{tenantAccessText(a?.tenantAccess, me.tenants)}</dd>
          <dt className={s.term}>Expires</dt>
          <dd>{a ? (a.expiresAt ? formatDate(a.expiresAt) : "Never") : "—"}</dd>
          <dt className={s.term}>Granted</dt>
          <dd>{a ? `${a.grantedBy.name}, ${formatDate(a.grantedAt)}` : "—"}</dd>
          <dt className={s.term}>Why</dt>
          <dd>{a?.justification ?? "—"}</dd>
        </dl>
      </section>

      {error && (
        <MessageBar intent={error.stale ? "warning" : "error"} role="alert">
          <MessageBarBody>
            {error.stale
              ? "Someone else changed this person while you were looking. Reload to see their change, then try again."
              : error.message}
          </MessageBarBody>
          {error.stale && (
            <MessageBarActions>
              <Button onClick={() => void load()}>Reload</Button>
            </MessageBarActions>
          )}
        </MessageBar>
      )}
      {saved && (
        <MessageBar intent="success">
          <MessageBarBody>{saved}</MessageBarBody>
        </MessageBar>
      )}

      {canManage && grant && (
        <section className={s.section} aria-label="Change access">
          <Divider />
          <Text weight="semibold" as="h3">
            Change access
          </Text>
          <GrantFields
            value={grant}
            onChange={setGrant}
            tenants={me.tenants}
            homeTenantId={p!.homeTenantId}
            idPrefix="person"
          />
          <Field
            label="Reason (required)"
            required
            validationMessage={error?.field?.toLowerCase() === "reason" ? error.message : undefined}
          >
            <Textarea
              value={reason}
              onChange={(_, d) => setReason(d.value)}
              maxLength={500}
              placeholder="Why this change? It is kept in the history."
            />
          </Field>
          <div className={s.buttons}>
            <Button
              appearance="primary"
              disabled={busy || reasonMissing || !p!.enabled}
              onClick={() =>
                void act("Access saved.", (etag) =>
                  a
                    ? api.changeAssignment(p!.id, etag, {
                        role: grant.role,
                        tenantAccess: tenantAccessBody(grant.tenantAccess),
                        expiry: grant.expiry,
                        reason,
                      })
                    : api.grant(p!.id, etag, {
                        role: grant.role,
                        tenantAccess: tenantAccessBody(grant.tenantAccess),
                        expiry: grant.expiry,
                        reason,
                      }),
                )
              }
            >
              {a ? "Save access" : "Grant access"}
            </Button>
            {a && (
              <Button
                disabled={busy || reasonMissing}
                onClick={() =>
                  void act("Access removed.", (etag) => api.changeAssignment(p!.id, etag, { role: null, reason }))
                }
              >
                Remove access
              </Button>
            )}
            <Button
              appearance="secondary"
              disabled={busy || reasonMissing}
              onClick={() =>
                void act(p!.enabled ? "Disabled." : "Enabled.", (etag) =>
                  api.setEnabled(p!.id, etag, !p!.enabled, reason),
                )
              }
            >
              {p!.enabled ? "Disable account" : "Enable account"}
            </Button>
          </div>
        </section>
      )}

      <section className={s.section} aria-label="History">
        <Divider />
        <Text weight="semibold" as="h3">
          History
        </Text>
        {detail.history.length === 0 ? (
          <Text>Nothing recorded yet.</Text>
        ) : (
          <ol className={s.history}>
            {detail.history.map((e) => (
              <li key={e.id}>
                <Text weight="semibold">{ACTION_LABELS[e.action] ?? e.action}</Text>{" "}
                <Text className={s.subtle}>
                  {formatDate(e.at)} by {e.actor.name}
                </Text>
                {historyDetail(e, me) && <div>{historyDetail(e, me)}</div>}
                {e.reason && <div className={s.subtle}>“{e.reason}”</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );

  const title = p ? p.name || p.upn || p.id : "Person";
  if (inline) {
    return (
      <section className={s.inline} aria-label="Your access">
        <Text as="h2" size={500} weight="semibold">
          {title}
        </Text>
        {body}
      </section>
    );
  }
  return (
    <OverlayDrawer
      open
      position="end"
      size="medium"
      onOpenChange={(_, d) => !d.open && onClose()}
      aria-label={`Person: ${title}`}
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {title}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>{body}</DrawerBody>
    </OverlayDrawer>
  );
};

const historyDetail = (e: AuditEvent, me: Me): string | null => {
  const after = e.after as { assignment?: { role: keyof typeof ROLE_LABELS; tenantAccess: never } | null } | null;
  if (after && "assignment" in after) {
    if (!after.assignment) return "No access";
    return `${ROLE_LABELS[after.assignment.role]} · ${tenantAccessText(after.assignment.tenantAccess, me.tenants)}`;
  }
  return null;
};
