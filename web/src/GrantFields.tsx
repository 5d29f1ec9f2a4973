import { Dropdown, Field, Option, makeStyles } from "@fluentui/react-components";
import type { Role, Tenant } from "./api";
import { EXPIRY_CHOICES, ROLE_LABELS, ROLES, SINGLE_TENANT_ROLES } from "./labels";

export type GrantValue = { role: Role; tenantAccess: string[]; expiry: string };

const useStyles = makeStyles({ row: { display: "flex", gap: "12px", flexWrap: "wrap" } });

/** Normalises tenant access to what the role allows: MSP Admin all, customer roles exactly one tenant. */
export const fitTenantAccess = (role: Role, selected: string[], fallback: string | null): string[] => {
  if (role === "msp-admin") return ["all"];
  if (SINGLE_TENANT_ROLES.includes(role)) {
    const one = selected.find((t) => t !== "all") ?? fallback;
    return one ? [one] : [];
  }
  return selected.length ? selected : fallback ? [fallback] : ["all"];
};

/** The role, tenant-access and expiry pickers, as on the request card. */
export const GrantFields = ({
  value,
  onChange,
  tenants,
  homeTenantId,
  roles = ROLES,
  idPrefix,
}: {
  value: GrantValue;
  onChange: (v: GrantValue) => void;
  tenants: Tenant[];
  homeTenantId: string | null;
  roles?: Role[];
  idPrefix: string;
}) => {
  const s = useStyles();
  const single = SINGLE_TENANT_ROLES.includes(value.role);
  const tenantName = (id: string) => (id === "all" ? "All tenants" : (tenants.find((t) => t.id === id)?.name ?? id));
  return (
    <div className={s.row}>
      <Field label="Role" required>
        <Dropdown
          id={`${idPrefix}-role`}
          value={ROLE_LABELS[value.role]}
          selectedOptions={[value.role]}
          onOptionSelect={(_, d) => {
            const role = d.optionValue as Role;
            onChange({ ...value, role, tenantAccess: fitTenantAccess(role, value.tenantAccess, homeTenantId) });
          }}
        >
          {roles.map((r) => (
            <Option key={r} value={r}>
              {ROLE_LABELS[r]}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field
        label="Tenant access"
        required
        hint={value.role === "msp-admin" ? "MSP Admins reach all tenants." : single ? "Exactly one tenant." : undefined}
      >
        <Dropdown
          id={`${idPrefix}-tenants`}
          multiselect={!single}
          disabled={value.role === "msp-admin"}
          value={value.tenantAccess.map(tenantName).join(", ") || "Choose…"}
          selectedOptions={value.tenantAccess}
          onOptionSelect={(_, d) => {
            let next = d.selectedOptions;
            if (!single && d.optionValue === "all") next = ["all"];
            else if (!single) next = next.filter((t) => t !== "all");
            onChange({ ...value, tenantAccess: next });
          }}
        >
          {!single && <Option value="all">All tenants</Option>}
          {tenants.map((t) => (
            <Option key={t.id} value={t.id}>
              {t.name}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label="Access expires" required>
        <Dropdown
          id={`${idPrefix}-expiry`}
          value={EXPIRY_CHOICES.find((c) => c.id === value.expiry)?.label ?? value.expiry}
          selectedOptions={[value.expiry]}
          onOptionSelect={(_, d) => onChange({ ...value, expiry: d.optionValue ?? "never" })}
        >
          {EXPIRY_CHOICES.map((c) => (
            <Option key={c.id} value={c.id}>
              {c.label}
            </Option>
          ))}
        </Dropdown>
      </Field>
    </div>
  );
};

/** What the API expects for tenant access. */
export const tenantAccessBody = (selected: string[]): "all" | string[] => (selected.includes("all") ? "all" : selected);
