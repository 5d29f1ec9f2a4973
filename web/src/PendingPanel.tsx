import {
  Button,
  Card,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { api, ApiError, type AccessRequest, type Me } from "./api";
import { fitTenantAccess, GrantFields, tenantAccessBody, type GrantValue } from "./GrantFields";
import { formatDate, grantableBy, ROLE_LABELS } from "./labels";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: "16px" },
  card: { display: "flex", flexDirection: "column", gap: "12px", padding: "16px" },
  subtle: { color: tokens.colorNeutralForeground3 },
  buttons: { display: "flex", gap: "8px" },
});

/** One pending request with the same pickers and rules as its card in the admins channel. */
const RequestCard = ({
  request,
  me,
  onDone,
}: {
  request: AccessRequest;
  me: Me;
  onDone: (message: string) => void;
}) => {
  const s = useStyles();
  const home = request.homeTenantId;
  const role = home === "msp" && grantableBy(me.role).includes("msp-user") ? "msp-user" : "customer-user";
  const [grant, setGrant] = useState<GrantValue>({
    role,
    tenantAccess: fitTenantAccess(role, [], home),
    expiry: "never",
  });
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const who = request.requester.name || request.requester.upn || request.requester.objectId;

  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(null);
    try {
      if (approve) {
        await api.approve(request.id, {
          role: grant.role,
          tenantAccess: tenantAccessBody(grant.tenantAccess),
          expiry: grant.expiry,
          ...(note.trim() ? { comment: note } : {}),
        });
        onDone(`Approved ${who} as ${ROLE_LABELS[grant.role]}.`);
      } else {
        await api.deny(request.id, note);
        onDone(`Denied ${who}'s request.`);
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card className={s.card} aria-label={`Request from ${who}`}>
      <Text weight="semibold">{who}</Text>
      <Text className={s.subtle}>
        {request.requester.upn ?? ""} · asked {formatDate(request.createdAt)} · wished role:{" "}
        {request.wishedRole ? ROLE_LABELS[request.wishedRole] : "no preference"}
      </Text>
      <Text>{request.justification}</Text>
      <GrantFields
        value={grant}
        onChange={setGrant}
        tenants={me.tenants}
        homeTenantId={home}
        idPrefix={`req-${request.id}`}
      />
      <Field label="Comment to the requester (required to deny)">
        <Textarea value={note} onChange={(_, d) => setNote(d.value)} maxLength={500} />
      </Field>
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.buttons}>
        <Button appearance="primary" disabled={busy} onClick={() => void decide(true)}>
          Approve
        </Button>
        <Button disabled={busy || note.trim().length === 0} onClick={() => void decide(false)}>
          Deny
        </Button>
      </div>
    </Card>
  );
};

/** The seed's notification indicator, opened: requests waiting for this admin, decided here or on their cards. */
export const PendingPanel = ({ me, onClose, onChanged }: { me: Me; onClose: () => void; onChanged: () => void }) => {
  const s = useStyles();
  const [requests, setRequests] = useState<AccessRequest[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = () =>
    api.pending().then(
      (p) => setRequests(p.items),
      (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  useEffect(() => {
    void load();
  }, []);

  return (
    <OverlayDrawer
      open
      position="end"
      size="medium"
      onOpenChange={(_, d) => !d.open && onClose()}
      aria-label="Pending requests"
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          Pending requests
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        {done && (
          <MessageBar intent="success" style={{ marginBottom: 12 }}>
            <MessageBarBody>{done}</MessageBarBody>
          </MessageBar>
        )}
        {error && (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{error}</MessageBarBody>
          </MessageBar>
        )}
        {!requests && !error && <Spinner label="Loading requests…" />}
        {requests && requests.length === 0 && <Text>Nothing is waiting for you.</Text>}
        <div className={s.list}>
          {requests?.map((r) => (
            <RequestCard
              key={r.id}
              request={r}
              me={me}
              onDone={(message) => {
                setDone(message);
                onChanged();
                void load();
              }}
            />
          ))}
        </div>
      </DrawerBody>
    </OverlayDrawer>
  );
};
