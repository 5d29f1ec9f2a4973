import {
  Button,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  SearchBox,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";
import { api, ApiError, download, type AuditEvent, type Me, type Role, type Tenant, type TenantAccess } from "./api";
import { ACTION_LABELS, formatDate, ROLE_LABELS, tenantAccessText } from "./labels";

const useStyles = makeStyles({
  filters: { display: "flex", gap: "12px", flexWrap: "wrap", alignItems: "flex-end", marginBottom: "16px" },
  exports: { display: "flex", gap: "8px", flexWrap: "wrap", alignItems: "center", marginBottom: "16px" },
  more: { marginTop: "12px", display: "flex", gap: "12px", alignItems: "center" },
  subtle: { color: tokens.colorNeutralForeground3 },
  table: { minWidth: "960px" },
  scroll: { overflowX: "auto" },
  change: { fontSize: tokens.fontSizeBase200, wordBreak: "break-word" },
});

const useDebounced = <T,>(value: T, ms: number): T => {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
};

type Shown = { role?: Role; tenantAccess?: TenantAccess; expiresAt?: string | null } | null;

/** A short, readable before → after for the table; the exports carry the full records. */
const changeText = (e: AuditEvent, tenants: Tenant[]): string => {
  const access = (v: unknown): string | null => {
    if (!v || typeof v !== "object" || !("assignment" in v)) return null;
    const a = (v as { assignment: Shown }).assignment;
    if (!a?.role) return "No access";
    const expiry = a.expiresAt ? `until ${formatDate(a.expiresAt)}` : "no expiry";
    return `${ROLE_LABELS[a.role]}, ${tenantAccessText(a.tenantAccess, tenants)}, ${expiry}`;
  };
  const before = access(e.before);
  const after = access(e.after);
  if (before !== null || after !== null) return `${before ?? "—"} → ${after ?? "—"}`;
  const show = (v: unknown) => (v === null || v === undefined ? "—" : JSON.stringify(v));
  const text = `${show(e.before)} → ${show(e.after)}`;
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
};

/**
 * The audit log: who did what to whom, when and why, newest first. MSP Admins see everything;
 * Customer Admins the events about their own tenant (the server decides). Exports as CSV or JSON
 * Lines, and the "who has access and why" report.
 */
export const AuditPage = ({ me }: { me: Me }) => {
  const s = useStyles();
  const [action, setAction] = useState("");
  const [who, setWho] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [continuation, setContinuation] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const debouncedWho = useDebounced(who, 300);
  const generation = useRef(0);

  const filters = (): Record<string, string> => ({
    ...(action ? { action } : {}),
    ...(debouncedWho.trim() ? { who: debouncedWho.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });

  const load = async (append: boolean) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await api.audit({
        ...filters(),
        pageSize: "50",
        ...(append && continuation ? { continuation } : {}),
      });
      if (mine !== generation.current) return;
      setItems((prev) => (append ? [...prev, ...page.items] : page.items));
      setContinuation(page.continuation);
    } catch (e) {
      if (mine === generation.current) setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [action, debouncedWho, from, to]);

  const save = async (path: string) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(`Downloaded ${await download(path)}.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const exportPath = (format: "csv" | "jsonl") => `/api/audit/export?${new URLSearchParams({ ...filters(), format })}`;
  const tenantName = (id: string | null | undefined) =>
    id ? (me.tenants.find((t) => t.id === id)?.name ?? id) : "Access Desk";

  return (
    <section aria-label="Audit log">
      <div className={s.filters}>
        <Field label="Action">
          <Dropdown
            value={action ? (ACTION_LABELS[action] ?? action) : "Any action"}
            selectedOptions={[action]}
            onOptionSelect={(_, d) => setAction(d.optionValue ?? "")}
          >
            <Option value="">Any action</Option>
            {Object.entries(ACTION_LABELS).map(([value, label]) => (
              <Option key={value} value={value}>
                {label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Who (actor or person)">
          <SearchBox value={who} onChange={(_, d) => setWho(d.value)} placeholder="Part of a name…" />
        </Field>
        <Field label="From (day)">
          <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} />
        </Field>
        <Field label="To (day, inclusive)">
          <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} />
        </Field>
      </div>
      <div className={s.exports}>
        <Text weight="semibold">Export the events shown:</Text>
        <Button onClick={() => void save(exportPath("csv"))}>Events (CSV)</Button>
        <Button onClick={() => void save(exportPath("jsonl"))}>Events (JSON Lines)</Button>
        <Text weight="semibold">Who has access and why:</Text>
        <Button onClick={() => void save("/api/reports/access?format=csv")}>Access report (CSV)</Button>
        <Button onClick={() => void save("/api/reports/access?format=jsonl")}>Access report (JSON Lines)</Button>
      </div>
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.scroll}>
        <Table className={s.table} aria-label="Audit events" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>What</TableHeaderCell>
              <TableHeaderCell>By</TableHeaderCell>
              <TableHeaderCell>About</TableHeaderCell>
              <TableHeaderCell>Why</TableHeaderCell>
              <TableHeaderCell>Change</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((e) => (
              <TableRow key={e.id}>
                <TableCell>{formatDate(e.at)}</TableCell>
                <TableCell>{ACTION_LABELS[e.action] ?? e.action}</TableCell>
                <TableCell>{e.actor.name || e.actor.personId}</TableCell>
                <TableCell>
                  {e.subject?.name || e.subject?.id || "—"}
                  <div className={s.subtle}>{tenantName(e.tenantId)}</div>
                </TableCell>
                <TableCell>{e.reason ?? "—"}</TableCell>
                <TableCell className={s.change}>{changeText(e, me.tenants)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <div className={s.more} aria-live="polite">
        {loading && <Spinner size="tiny" label="Loading events…" />}
        {!loading && items.length === 0 && !error && <Text>No events match these filters.</Text>}
        {!loading && continuation && (
          <Button onClick={() => void load(true)} appearance="secondary">
            Load more
          </Button>
        )}
        {!loading && items.length > 0 && (
          <Text className={s.subtle}>
            Showing {items.length}
            {continuation ? " (more available)" : ""}
          </Text>
        )}
      </div>
    </section>
  );
};
