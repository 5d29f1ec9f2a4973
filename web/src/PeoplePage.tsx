import {
  Badge,
  Button,
  Dropdown,
  Field,
  Link,
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
import { api, ApiError, type Me, type Person } from "./api";
import { formatDate, ROLE_LABELS, ROLES, STATUS_LABELS, tenantAccessText } from "./labels";

const useStyles = makeStyles({
  filters: { display: "flex", gap: "12px", flexWrap: "wrap", alignItems: "flex-end", marginBottom: "16px" },
  search: { minWidth: "280px" },
  more: { marginTop: "12px", display: "flex", gap: "12px", alignItems: "center" },
  subtle: { color: tokens.colorNeutralForeground3 },
  table: { minWidth: "960px" },
  scroll: { overflowX: "auto" },
});

const STATUS_FILTERS = [
  { value: "", label: "Any status" },
  { value: "user", label: "Users" },
  { value: "no-access", label: "No access" },
  { value: "disabled", label: "Disabled" },
  { value: "pending", label: "Pending request" },
];
const SORTS = [
  { value: "name:asc", label: "Name A–Z" },
  { value: "name:desc", label: "Name Z–A" },
  { value: "role:asc", label: "Role" },
  { value: "expiresAt:asc", label: "Expires soonest" },
  { value: "grantedAt:desc", label: "Granted most recently" },
];

/** Debounces a value: the search waits until typing pauses. */
const useDebounced = <T,>(value: T, ms: number): T => {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
};

/** Everyone the admin may see: search, filters, sort, and pages fetched with continuation tokens. */
export const PeoplePage = ({
  me,
  onOpen,
  refreshKey,
}: {
  me: Me;
  onOpen: (id: string) => void;
  refreshKey: number;
}) => {
  const s = useStyles();
  const [search, setSearch] = useState("");
  const [role, setRole] = useState("");
  const [status, setStatus] = useState("");
  const [tenant, setTenant] = useState("");
  const [sort, setSort] = useState("name:asc");
  const [items, setItems] = useState<Person[]>([]);
  const [continuation, setContinuation] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const debouncedSearch = useDebounced(search, 300);
  const generation = useRef(0);

  const query = (next?: string | null) => {
    const [field, order] = sort.split(":");
    return {
      ...(debouncedSearch.trim() ? { search: debouncedSearch.trim() } : {}),
      ...(role ? { role } : {}),
      ...(status ? { status } : {}),
      ...(tenant ? { tenant } : {}),
      sort: field!,
      order: order!,
      pageSize: "50",
      ...(next ? { continuation: next } : {}),
    };
  };

  const load = async (append: boolean) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await api.people(query(append ? continuation : null));
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
  }, [debouncedSearch, role, status, tenant, sort, refreshKey]);

  const tenantName = (id: string | null) => (id ? (me.tenants.find((t) => t.id === id)?.name ?? id) : "—");

  return (
    <section aria-label="People">
      <div className={s.filters}>
        <Field label="Search by name, email or UPN" className={s.search}>
          <SearchBox value={search} onChange={(_, d) => setSearch(d.value)} placeholder="Start typing a name…" />
        </Field>
        <Field label="Role">
          <Dropdown
            value={role ? ROLE_LABELS[role as keyof typeof ROLE_LABELS] : "Any role"}
            selectedOptions={[role]}
            onOptionSelect={(_, d) => setRole(d.optionValue ?? "")}
          >
            <Option value="">Any role</Option>
            {ROLES.map((r) => (
              <Option key={r} value={r}>
                {ROLE_LABELS[r]}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Status">
          <Dropdown
            value={STATUS_FILTERS.find((f) => f.value === status)!.label}
            selectedOptions={[status]}
            onOptionSelect={(_, d) => setStatus(d.optionValue ?? "")}
          >
            {STATUS_FILTERS.map((f) => (
              <Option key={f.value} value={f.value}>
                {f.label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Tenant">
          <Dropdown
            value={tenant ? tenantName(tenant) : "All tenants"}
            selectedOptions={[tenant]}
            onOptionSelect={(_, d) => setTenant(d.optionValue ?? "")}
          >
            <Option value="">All tenants</Option>
            {me.tenants.map((t) => (
              <Option key={t.id} value={t.id}>
                {t.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Sort">
          <Dropdown
            value={SORTS.find((o) => o.value === sort)!.label}
            selectedOptions={[sort]}
            onOptionSelect={(_, d) => setSort(d.optionValue ?? "name:asc")}
          >
            {SORTS.map((o) => (
              <Option key={o.value} value={o.value}>
                {o.label}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.scroll}>
        <Table className={s.table} aria-label="People" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Email / UPN</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Tenant access</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Expires</TableHeaderCell>
              <TableHeaderCell>Granted by / at</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((p) => (
              <TableRow key={p.id}>
                <TableCell>
                  <Link as="button" onClick={() => onOpen(p.id)} aria-label={`Open ${p.name || p.upn || p.id}`}>
                    {p.name || p.upn || p.id}
                  </Link>
                  <div className={s.subtle}>{tenantName(p.homeTenantId)}</div>
                </TableCell>
                <TableCell>{p.email || p.upn || "—"}</TableCell>
                <TableCell>{p.assignment ? ROLE_LABELS[p.assignment.role] : "—"}</TableCell>
                <TableCell>{tenantAccessText(p.assignment?.tenantAccess, me.tenants)}</TableCell>
                <TableCell>
                  <Badge
                    appearance="tint"
                    color={p.status === "user" ? "success" : p.status === "disabled" ? "danger" : "informative"}
                  >
                    {STATUS_LABELS[p.status]}
                  </Badge>{" "}
                  {p.pendingRequestId && (
                    <Badge appearance="outline" color="warning">
                      Pending request
                    </Badge>
                  )}
                </TableCell>
                <TableCell>
                  {p.assignment ? (p.assignment.expiresAt ? formatDate(p.assignment.expiresAt) : "Never") : "—"}
                </TableCell>
                <TableCell>
                  {p.assignment ? `${p.assignment.grantedBy.name}, ${formatDate(p.assignment.grantedAt)}` : "—"}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <div className={s.more} aria-live="polite">
        {loading && <Spinner size="tiny" label="Loading people…" />}
        {!loading && items.length === 0 && !error && <Text>No one matches these filters.</Text>}
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
