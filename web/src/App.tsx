import {
  Button,
  CounterBadge,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError, type Me } from "./api";
import { AuditPage } from "./AuditPage";
import { ReviewsPage } from "./ReviewsPage";
import { ROLE_LABELS } from "./labels";
import { PeoplePage } from "./PeoplePage";
import { PendingPanel } from "./PendingPanel";
import { PersonPanel } from "./PersonPanel";
import { TenantsPage } from "./TenantsPage";

const useStyles = makeStyles({
  header: {
    display: "flex",
    alignItems: "center",
    gap: "16px",
    padding: "8px 24px",
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    flexWrap: "wrap",
  },
  title: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase500 },
  spacer: { flexGrow: 1 },
  main: { padding: "16px 24px" },
  who: { color: tokens.colorNeutralForeground3 },
});

type Page = "people" | "tenants" | "reviews" | "audit";
const PAGES: Page[] = ["people", "tenants", "reviews", "audit"];
const pageFromHash = (): Page => PAGES.find((p) => window.location.hash.startsWith(`#/${p}`)) ?? "people";

/** The tab's frame: who is signed in, the pending-requests badge, and the People and Tenants pages. */
export const App = ({ inTeams, onSignOut }: { inTeams: boolean; onSignOut?: () => void }) => {
  const s = useStyles();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [page, setPage] = useState<Page>(pageFromHash());
  const [pendingCount, setPendingCount] = useState<number | null>(null);
  const [pendingOpen, setPendingOpen] = useState(false);
  const [openPerson, setOpenPerson] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);

  useEffect(() => {
    api.me().then(setMe, (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [refreshKey]);

  const canDecide = me?.permissions.includes("requests.decide") ?? false;
  const refreshPending = useCallback(() => {
    if (!canDecide) return;
    api.pending().then(
      (p) => setPendingCount(p.total),
      () => setPendingCount(null),
    );
  }, [canDecide]);
  useEffect(() => {
    refreshPending();
    const timer = setInterval(refreshPending, 30_000);
    return () => clearInterval(timer);
  }, [refreshPending]);

  const changed = () => {
    setRefreshKey((k) => k + 1);
    refreshPending();
  };

  if (error) {
    return (
      <MessageBar intent="error" role="alert" style={{ margin: 24 }}>
        <MessageBarBody>{error}</MessageBarBody>
      </MessageBar>
    );
  }
  if (!me) return <Spinner label="Loading…" style={{ marginTop: 48 }} />;

  const canList = me.permissions.includes("people.read");
  const canManageTenants = me.permissions.includes("tenants.manage");
  const canReadAudit = me.permissions.includes("audit.read");
  const canReview = me.permissions.includes("people.manage");
  const who = me.person?.name || me.identity.name || me.identity.upn || "you";

  return (
    <>
      <header className={s.header}>
        <Text as="h1" className={s.title}>
          Access Desk
        </Text>
        {canList && (
          <TabList
            selectedValue={page}
            onTabSelect={(_, d) => {
              setPage(d.value as Page);
              window.location.hash = `#/${d.value as string}`;
            }}
            aria-label="Pages"
          >
            <Tab value="people">People</Tab>
            {canManageTenants && <Tab value="tenants">Tenants</Tab>}
            {canReview && <Tab value="reviews">Reviews</Tab>}
            {canReadAudit && <Tab value="audit">Audit</Tab>}
          </TabList>
        )}
        <span className={s.spacer} />
        {canDecide && (
          <Button
            onClick={() => setPendingOpen(true)}
            aria-label={`Pending requests: ${pendingCount ?? 0}`}
            icon={pendingCount ? <CounterBadge count={pendingCount} color="important" size="small" /> : undefined}
            iconPosition="after"
          >
            Pending requests
          </Button>
        )}
        <Text className={s.who}>
          {who}
          {me.role ? ` · ${ROLE_LABELS[me.role]}` : " · no access"}
        </Text>
        {!inTeams && onSignOut && (
          <Button appearance="subtle" onClick={onSignOut}>
            Sign out
          </Button>
        )}
      </header>
      <main className={s.main}>
        {!canList && me.person && (
          <PersonPanel inline personId={me.person.id} me={me} onClose={() => undefined} onChanged={changed} />
        )}
        {!canList && !me.person && (
          <MessageBar intent="info">
            <MessageBarBody>You do not have access yet. Ask for it in a chat with Access Desk in Teams.</MessageBarBody>
          </MessageBar>
        )}
        {canList && page === "people" && <PeoplePage me={me} onOpen={setOpenPerson} refreshKey={refreshKey} />}
        {canList && page === "tenants" && canManageTenants && <TenantsPage onChanged={changed} />}
        {canList && page === "reviews" && canReview && <ReviewsPage me={me} />}
        {canList && page === "audit" && canReadAudit && <AuditPage me={me} />}
      </main>
      {openPerson && (
        <PersonPanel personId={openPerson} me={me} onClose={() => setOpenPerson(null)} onChanged={changed} />
      )}
      {pendingOpen && <PendingPanel me={me} onClose={() => setPendingOpen(false)} onChanged={changed} />}
    </>
  );
};
