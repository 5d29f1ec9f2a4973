import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  Spinner,
  Switch,
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
import { useCallback, useEffect, useState } from "react";
import { api, ApiError, download, type Me, type ReviewItem, type ReviewSummary } from "./api";
import { formatDate, ROLE_LABELS, tenantAccessText } from "./labels";

const useStyles = makeStyles({
  bar: { display: "flex", gap: "12px", flexWrap: "wrap", alignItems: "center", marginBottom: "16px" },
  subtle: { color: tokens.colorNeutralForeground3 },
  table: { minWidth: "960px" },
  scroll: { overflowX: "auto" },
  actions: { display: "flex", gap: "8px" },
  more: { marginTop: "12px", display: "flex", gap: "12px", alignItems: "center" },
});

const message = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

/** One review: every user in the reader's reach with what they have and why; keep or revoke each. */
const ReviewDetail = ({ me, summary, onBack }: { me: Me; summary: ReviewSummary; onBack: () => void }) => {
  const s = useStyles();
  const review = summary.review;
  const [undecidedOnly, setUndecidedOnly] = useState(review.status === "open");
  const [items, setItems] = useState<ReviewItem[]>([]);
  const [progress, setProgress] = useState({ users: summary.users, decided: summary.decided });
  const [continuation, setContinuation] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(
    async (next: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.review(review.id, {
          undecided: String(undecidedOnly),
          pageSize: "50",
          ...(next ? { continuation: next } : {}),
        });
        setItems((prev) => (next ? [...prev, ...page.items] : page.items));
        setContinuation(page.continuation);
        setProgress({ users: page.users, decided: page.decided });
      } catch (e) {
        setError(message(e));
      } finally {
        setLoading(false);
      }
    },
    [review.id, undecidedOnly],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const decide = async (item: ReviewItem, outcome: "keep" | "revoke") => {
    setBusy(item.personId);
    setError(null);
    setNotice(null);
    try {
      const saved = await api.decideReview(review.id, item.personId, outcome);
      setNotice(`${item.name || item.upn}: ${outcome === "keep" ? "kept" : "access revoked"}.`);
      setItems((prev) =>
        undecidedOnly
          ? prev.filter((i) => i.personId !== item.personId)
          : prev.map((i) => (i.personId === item.personId ? saved : i)),
      );
      setProgress((p) => ({ ...p, decided: p.decided + 1 }));
    } catch (e) {
      setError(message(e));
      void load(null);
    } finally {
      setBusy(null);
    }
  };
  const save = async (format: "csv" | "jsonl") => {
    try {
      setNotice(
        `Downloaded ${await download(`/api/reviews/${encodeURIComponent(review.id)}/export?format=${format}`)}.`,
      );
    } catch (e) {
      setError(message(e));
    }
  };

  const outcomeText = (i: ReviewItem) => {
    if (i.superseded) return "Access changed meanwhile";
    if (!i.decision) return null;
    const what = i.decision.outcome === "keep" ? "Kept" : "Revoked";
    return i.decision.byDefault
      ? `${what} (not reviewed by the deadline)`
      : `${what} by ${i.decision.by.name}, ${formatDate(i.decision.at)}`;
  };

  return (
    <section aria-label={`Access review started ${formatDate(review.startedAt)}`}>
      <div className={s.bar}>
        <Button appearance="subtle" onClick={onBack}>
          ← All reviews
        </Button>
        <Text weight="semibold">
          Started {formatDate(review.startedAt)} by {review.startedBy.name} · deadline {formatDate(review.deadline)}
        </Text>
        <Badge appearance="tint" color={review.status === "closed" ? "informative" : "warning"}>
          {review.status === "closed" ? "Closed" : "Open"}
        </Badge>
        <Text aria-live="polite">
          Reviewed {progress.decided} of {progress.users}
        </Text>
        <Text className={s.subtle}>
          If not reviewed by the deadline: {review.defaultOutcome === "keep" ? "kept" : "revoked"}
        </Text>
      </div>
      {review.results && (
        <MessageBar intent="info">
          <MessageBarBody>
            Closed {formatDate(review.closedAt)}: {review.results.kept} kept, {review.results.revoked} revoked (
            {review.results.byDefault} by the default), {review.results.superseded} changed meanwhile.
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={s.bar}>
        <Switch
          label="Only users left to review"
          checked={undecidedOnly}
          onChange={(_, d) => setUndecidedOnly(d.checked)}
        />
        <Button onClick={() => void save("csv")}>Results (CSV)</Button>
        <Button onClick={() => void save("jsonl")}>Results (JSON Lines)</Button>
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
        <Table className={s.table} aria-label="Users under review" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>User</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Tenant access</TableHeaderCell>
              <TableHeaderCell>Expires</TableHeaderCell>
              <TableHeaderCell>Granted by / at</TableHeaderCell>
              <TableHeaderCell>Why</TableHeaderCell>
              <TableHeaderCell>Decision</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((i) => (
              <TableRow key={i.personId}>
                <TableCell>
                  {i.name || i.upn || i.personId}
                  {i.upn && <div className={s.subtle}>{i.upn}</div>}
                </TableCell>
                <TableCell>{ROLE_LABELS[i.assignment.role]}</TableCell>
                <TableCell>{tenantAccessText(i.assignment.tenantAccess, me.tenants)}</TableCell>
                <TableCell>{i.assignment.expiresAt ? formatDate(i.assignment.expiresAt) : "Never"}</TableCell>
                <TableCell>
                  {i.assignment.grantedBy.name}, {formatDate(i.assignment.grantedAt)}
                </TableCell>
                <TableCell>{i.assignment.justification ?? "—"}</TableCell>
                <TableCell>
                  {outcomeText(i) ??
                    (review.status === "open" && i.personId !== me.person?.id ? (
                      <div className={s.actions}>
                        <Button
                          size="small"
                          appearance="primary"
                          disabled={busy !== null}
                          onClick={() => void decide(i, "keep")}
                          aria-label={`Keep ${i.name || i.upn}`}
                        >
                          Keep
                        </Button>
                        <Button
                          size="small"
                          disabled={busy !== null}
                          onClick={() => void decide(i, "revoke")}
                          aria-label={`Revoke ${i.name || i.upn}`}
                        >
                          Revoke
                        </Button>
                      </div>
                    ) : (
                      <Text className={s.subtle}>
                        {i.personId === me.person?.id ? "Another admin reviews you" : "—"}
                      </Text>
                    ))}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <div className={s.more} aria-live="polite">
        {loading && <Spinner size="tiny" label="Loading…" />}
        {!loading && items.length === 0 && !error && (
          <Text>{undecidedOnly ? "Everyone here is reviewed." : "Nobody in this review is in your reach."}</Text>
        )}
        {!loading && continuation && (
          <Button appearance="secondary" onClick={() => void load(continuation)}>
            Load more
          </Button>
        )}
      </div>
    </section>
  );
};

/** Access reviews: start one (MSP Admins), see each one's progress, open one to review its users. */
export const ReviewsPage = ({ me }: { me: Me }) => {
  const s = useStyles();
  const [reviews, setReviews] = useState<ReviewSummary[] | null>(null);
  const [open, setOpen] = useState<ReviewSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const canStart = me.permissions.includes("settings.manage");

  const load = useCallback(() => {
    api.reviews().then(setReviews, (e: unknown) => setError(message(e)));
  }, []);
  useEffect(load, [load]);

  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      await api.startReview();
      load();
    } catch (e) {
      setError(message(e));
    } finally {
      setStarting(false);
    }
  };

  if (open)
    return (
      <ReviewDetail
        me={me}
        summary={open}
        onBack={() => {
          setOpen(null);
          load();
        }}
      />
    );
  return (
    <section aria-label="Access reviews">
      <div className={s.bar}>
        <Text>
          Every current user, kept or revoked by the admins of their tenant before the deadline. Cards for each tenant
          are also posted in the admins channel.
        </Text>
        {canStart && (
          <Button appearance="primary" disabled={starting} onClick={() => void start()}>
            Start access review
          </Button>
        )}
      </div>
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {!reviews && !error && <Spinner size="tiny" label="Loading reviews…" />}
      {reviews && reviews.length === 0 && <Text>No access review yet.</Text>}
      {reviews && reviews.length > 0 && (
        <Table aria-label="Reviews" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Started</TableHeaderCell>
              <TableHeaderCell>Deadline</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Reviewed</TableHeaderCell>
              <TableHeaderCell />
            </TableRow>
          </TableHeader>
          <TableBody>
            {reviews.map((r) => (
              <TableRow key={r.review.id}>
                <TableCell>
                  {formatDate(r.review.startedAt)}
                  <div className={s.subtle}>by {r.review.startedBy.name}</div>
                </TableCell>
                <TableCell>{formatDate(r.review.deadline)}</TableCell>
                <TableCell>{r.review.status === "closed" ? "Closed" : "Open"}</TableCell>
                <TableCell>
                  {r.decided} of {r.users}
                </TableCell>
                <TableCell>
                  <Button size="small" onClick={() => setOpen(r)}>
                    Open
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
};
