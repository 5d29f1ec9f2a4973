import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { api, ApiError, type Tenant } from "./api";
import { formatDate } from "./labels";

const useStyles = makeStyles({
  form: { display: "flex", gap: "12px", alignItems: "flex-end", flexWrap: "wrap", marginBottom: "20px" },
  row: { display: "flex", gap: "8px", alignItems: "center" },
});

/** Edits one tenant's name and linked directory, with the ETag it was read with. */
const TenantRow = ({
  tenant,
  onSaved,
  onError,
}: {
  tenant: Tenant;
  onSaved: () => void;
  onError: (e: ApiError) => void;
}) => {
  const s = useStyles();
  const [name, setName] = useState(tenant.name);
  const [directory, setDirectory] = useState(tenant.directoryId ?? "");
  const changed = name !== tenant.name || directory !== (tenant.directoryId ?? "");
  const save = async () => {
    try {
      await api.updateTenant(tenant.id, tenant.etag ?? "", { name, directoryId: directory.trim() || null });
      onSaved();
    } catch (e) {
      if (e instanceof ApiError) onError(e);
    }
  };
  return (
    <TableRow>
      <TableCell>
        <Input aria-label={`Name of ${tenant.name}`} value={name} onChange={(_, d) => setName(d.value)} />
      </TableCell>
      <TableCell>{tenant.kind === "msp" ? "MSP (your own)" : "Customer"}</TableCell>
      <TableCell>
        <Input
          aria-label={`Entra directory id of ${tenant.name}`}
          value={directory}
          disabled={tenant.kind === "msp"}
          placeholder="Not linked"
          onChange={(_, d) => setDirectory(d.value)}
        />
      </TableCell>
      <TableCell>{formatDate(tenant.createdAt)}</TableCell>
      <TableCell>
        <div className={s.row}>
          <Button disabled={!changed} onClick={() => void save()}>
            Save
          </Button>
        </div>
      </TableCell>
    </TableRow>
  );
};

/** The MSP's own tenant and its customers; a directory link makes that directory's people belong to the tenant. */
export const TenantsPage = ({ onChanged }: { onChanged: () => void }) => {
  const s = useStyles();
  const [tenants, setTenants] = useState<Tenant[] | null>(null);
  const [name, setName] = useState("");
  const [directory, setDirectory] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = () => api.tenants().then(setTenants, (e: unknown) => e instanceof ApiError && setError(e));
  useEffect(() => {
    void load();
  }, []);

  const create = async () => {
    setError(null);
    try {
      await api.createTenant({ name, directoryId: directory.trim() || null });
      setDone(`Tenant ${name} created.`);
      setName("");
      setDirectory("");
      onChanged();
      await load();
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    }
  };

  return (
    <section aria-label="Tenants">
      <div className={s.form}>
        <Field
          label="New tenant name"
          required
          validationMessage={error?.field?.toLowerCase() === "name" ? error.message : undefined}
        >
          <Input value={name} onChange={(_, d) => setName(d.value)} />
        </Field>
        <Field
          label="Entra directory id (optional)"
          validationMessage={error?.field === "directoryId" ? error.message : undefined}
        >
          <Input
            value={directory}
            onChange={(_, d) => setDirectory(d.value)}
            placeholder="00000000-0000-0000-0000-000000000000"
          />
        </Field>
        <Button appearance="primary" disabled={!name.trim()} onClick={() => void create()}>
          Create tenant
        </Button>
      </div>
      {done && (
        <MessageBar intent="success">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      )}
      {error && !error.field && (
        <MessageBar intent={error.status === 412 ? "warning" : "error"} role="alert">
          <MessageBarBody>
            {error.status === 412 ? "Someone else changed this tenant. Reload and try again." : error.message}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void load().then(() => setError(null))}>Reload</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {!tenants && <Spinner label="Loading tenants…" />}
      {tenants && tenants.length === 0 && <Text>No tenants yet.</Text>}
      {tenants && tenants.length > 0 && (
        <Table aria-label="Tenants" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Kind</TableHeaderCell>
              <TableHeaderCell>Entra directory</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>
                <span className="visually-hidden">Actions</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tenants.map((t) => (
              <TenantRow
                key={`${t.id}-${t.etag}`}
                tenant={t}
                onSaved={() => {
                  setDone(`Tenant saved.`);
                  onChanged();
                  void load();
                }}
                onError={setError}
              />
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
};
