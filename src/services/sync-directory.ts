import { transition } from "../domain/access-request.js";
import { isDomainError } from "../domain/errors.js";
import { displayName, personIdFor, SYSTEM_ACTOR, type DirectoryOffboardReason, type Person } from "../domain/person.js";
import { adminsChannelAddress } from "./admin-channel.js";
import { completeDecision } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { commitPersonChange } from "./person-changes.js";
import {
  DirectoryResyncRequired,
  DirectoryUnavailable,
  PreconditionFailed,
  type DirectoryAccount,
  type DirectoryChange,
  type DirectoryReader,
  type DirectorySyncState,
  type Stored,
} from "./ports.js";
import { createPerson } from "./register-person.js";
import { updatePerson } from "./update-person.js";

const MINUTE = 60_000;
/** Accounts of one page worked on at once (each is a few writes in its own partition). */
const CONCURRENCY = 8;
/** Attempts at one person's change when someone else changes them at the same moment. */
const ATTEMPTS = 4;
const SWEEP_PAGE = 200;

export type DirectorySyncResult = {
  directoryId: string;
  outcome: "synced" | "failed" | "not-due";
  full: boolean;
  accounts: number;
  created: number;
  updated: number;
  offboarded: number;
  reenabled: number;
  failure: string | null;
};

type Tally = Omit<DirectorySyncResult, "directoryId" | "outcome" | "full" | "failure">;

const REASONS: Record<DirectoryOffboardReason, string> = {
  disabled: "Account disabled in Entra ID (directory sync): access removed",
  deleted: "Account deleted in Entra ID (directory sync): access removed",
};
const REENABLED = "Account enabled again in Entra ID (directory sync); access is not given back";

/** The profile an account reports; a property Graph left out keeps the stored value. */
const profileOf = (p: Person, a: Extract<DirectoryAccount, { kind: "account" }>) => ({
  name: a.displayName || p.name,
  upn: a.userPrincipalName !== undefined ? (a.userPrincipalName ?? p.upn) : p.upn,
  email: a.mail !== undefined ? a.mail : p.email,
});

/** Runs `work` over items, a few at a time; the first failure is thrown once all have settled. */
const inBatches = async <T>(items: readonly T[], work: (item: T) => Promise<void>) => {
  let failure: unknown = null;
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    const results = await Promise.allSettled(items.slice(i, i + CONCURRENCY).map(work));
    for (const r of results) if (r.status === "rejected") failure ??= r.reason;
  }
  if (failure !== null) throw failure;
};

/** Whether an error means the person changed between our read and our write. */
const isStale = (e: unknown) => e instanceof PreconditionFailed || (isDomainError(e) && e.code === "stale");

/**
 * Applies a change to a person, re-reading them when someone else wrote first; `change` decides from
 * the person as stored now and returns false when there is nothing (left) to do.
 */
const withRetry = async (
  deps: ServiceDeps,
  personId: string,
  known: Stored<Person>,
  change: (current: Stored<Person>) => Promise<boolean>,
): Promise<boolean> => {
  let current: Stored<Person> | undefined = known;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (!current) return false;
    try {
      return await change(current);
    } catch (e) {
      if (!isStale(e)) throw e;
      current = await deps.people.get(personId);
    }
  }
  throw new PreconditionFailed(`person ${personId}`);
};

/** Closes the offboarded person's waiting request (the card shows it closed); true if one was closed. */
const closePendingRequest = async (deps: ServiceDeps, person: Person, why: string): Promise<boolean> => {
  const pending = person.pendingRequest;
  if (!pending) return false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await deps.requests.get(person.personId, pending.requestId);
    if (!stored || stored.value.status !== "pending") {
      // Decided already: make sure its follow-ups (the person's pending flag among them) are done.
      if (stored?.value.unfinished) await completeDecision(deps, stored.value);
      return false;
    }
    try {
      const saved = await deps.requests.replace(
        transition(stored.value, { type: "cancel", by: SYSTEM_ACTOR, at: deps.clock.now().toISOString(), reason: why }),
        stored.etag,
      );
      await completeDecision(deps, saved.value);
      return true;
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
    }
  }
  throw new PreconditionFailed(`request ${pending.requestId}`);
};

/**
 * Takes everything away from someone whose account was disabled or deleted: the person is disabled
 * (marked as disabled by the directory, unless an admin had disabled them already), the assignment is
 * removed, on record, and a waiting request is closed. Does nothing when nothing is left to take.
 */
const offboard = async (
  deps: ServiceDeps,
  stored: Stored<Person>,
  reason: DirectoryOffboardReason,
  account: Extract<DirectoryAccount, { kind: "account" }> | null,
): Promise<DirectoryChange | null> => {
  const p = stored.value;
  const profile = account ? profileOf(p, account) : { name: p.name, upn: p.upn, email: p.email };
  let change: DirectoryChange | null = null;
  if (p.enabled || p.assignment !== null) {
    const at = deps.clock.now().toISOString();
    await commitPersonChange(
      deps,
      stored,
      stored.etag,
      {
        ...p,
        ...profile,
        enabled: false,
        assignment: null,
        // Only a person this sync disabled is enabled again by it; an admin's disable stands.
        disabledByDirectory: p.enabled ? { at, reason } : (p.disabledByDirectory ?? null),
      },
      {
        action: p.enabled ? "person.disabled" : "assignment.revoked",
        actor: SYSTEM_ACTOR,
        reason: REASONS[reason],
        before: { enabled: p.enabled, assignment: p.assignment },
        after: { enabled: false, assignment: null },
        correlationId: `${p.personId}-directory-${reason}-${at}`,
      },
    );
    change = {
      personId: p.personId,
      name: displayName({ ...p, ...profile }),
      upn: profile.upn,
      reason,
      assignment: p.assignment,
      requestClosed: false,
    };
  } else if (profile.name !== p.name || profile.upn !== p.upn || profile.email !== p.email) {
    await updatePerson(deps, p.personId, (cur) => ({ ...cur, ...profile }), stored);
  }
  if (await closePendingRequest(deps, p, REASONS[reason])) {
    change ??= {
      personId: p.personId,
      name: displayName({ ...p, ...profile }),
      upn: profile.upn,
      reason,
      assignment: null,
      requestClosed: false,
    };
    change.requestClosed = true;
  }
  if (change) deps.logger.info({ personId: p.personId, reason }, "directory sync: person offboarded");
  return change;
};

/** An account enabled again: the person is enabled if this sync had disabled them; no access comes back. */
const reenable = async (
  deps: ServiceDeps,
  stored: Stored<Person>,
  account: Extract<DirectoryAccount, { kind: "account" }>,
): Promise<DirectoryChange> => {
  const p = stored.value;
  const profile = profileOf(p, account);
  await commitPersonChange(
    deps,
    stored,
    stored.etag,
    { ...p, ...profile, enabled: true, disabledByDirectory: null },
    {
      action: "person.enabled",
      actor: SYSTEM_ACTOR,
      reason: REENABLED,
      before: { enabled: false },
      after: { enabled: true },
      correlationId: `${p.personId}-directory-enabled-${deps.clock.now().toISOString()}`,
    },
  );
  return {
    personId: p.personId,
    name: displayName({ ...p, ...profile }),
    upn: profile.upn,
    reason: "re-enabled",
    assignment: null,
    requestClosed: false,
  };
};

type Run = { tally: Tally; changes: DirectoryChange[] };

/** One account from a page: created, updated, offboarded or enabled again, each only when needed. */
const applyAccount = async (
  deps: ServiceDeps,
  directoryId: string,
  account: DirectoryAccount,
  known: Stored<Person> | undefined,
  run: Run,
): Promise<void> => {
  const personId = personIdFor(account.id);
  if (known && known.value.directoryId !== directoryId) {
    deps.logger.warn({ personId, directoryId }, "directory sync: account belongs to another directory; skipped");
    return;
  }
  const note = (change: DirectoryChange | null) => {
    if (!change) return;
    run.changes.push(change);
    if (change.reason === "re-enabled") run.tally.reenabled++;
    else run.tally.offboarded++;
  };
  if (account.kind === "removed") {
    if (known) {
      await withRetry(deps, personId, known, async (cur) => {
        note(await offboard(deps, cur, "deleted", null));
        return true;
      });
    }
    return;
  }
  if (!known) {
    const enabled = account.accountEnabled !== false;
    const created = await createPerson(
      deps,
      {
        objectId: account.id,
        directoryId,
        name: account.displayName ?? null,
        upn: account.userPrincipalName ?? null,
        email: account.mail ?? null,
      },
      "entra",
      enabled
        ? {}
        : { enabled: false, disabledByDirectory: { at: deps.clock.now().toISOString(), reason: "disabled" } },
    );
    if (created.value.source === "entra") run.tally.created++;
    return;
  }
  await withRetry(deps, personId, known, async (cur) => {
    const p = cur.value;
    if (account.accountEnabled === false) {
      note(await offboard(deps, cur, "disabled", account));
      return true;
    }
    if (account.accountEnabled === true && !p.enabled && p.disabledByDirectory) {
      note(await reenable(deps, cur, account));
      return true;
    }
    const profile = profileOf(p, account);
    if (profile.name === p.name && profile.upn === p.upn && profile.email === p.email) return false;
    await updatePerson(
      deps,
      personId,
      (now) =>
        now.name === profile.name && now.upn === profile.upn && now.email === profile.email
          ? null
          : { ...now, ...profile },
      cur,
    );
    run.tally.updated++;
    return true;
  });
};

/** One page of accounts: the people behind them read in one query, then each account applied. */
const applyPage = async (deps: ServiceDeps, directoryId: string, accounts: DirectoryAccount[], run: Run) => {
  // The same account twice in a page: its last entry is its latest state.
  const latest = new Map(accounts.map((a) => [personIdFor(a.id), a]));
  const stored = new Map((await deps.people.getMany([...latest.keys()])).map((s) => [s.value.personId, s]));
  await inBatches([...latest], ([personId, account]) =>
    applyAccount(deps, directoryId, account, stored.get(personId), run),
  );
  run.tally.accounts += latest.size;
};

/**
 * After a full read: people of the directory who still have something to lose but whose account was
 * not listed were deleted while no delta link was valid; they are offboarded as deleted.
 */
const sweepMissing = async (deps: ServiceDeps, directoryId: string, seen: Set<string>, run: Run) => {
  // Collected first, changed after: changing people while paging the query could skip some.
  const missing: string[] = [];
  let continuation: string | null = null;
  do {
    const page = await deps.people.listActiveInDirectory(directoryId, { pageSize: SWEEP_PAGE, continuation });
    for (const s of page.items) if (!seen.has(s.value.personId)) missing.push(s.value.personId);
    continuation = page.continuation;
  } while (continuation);
  for (let i = 0; i < missing.length; i += SWEEP_PAGE) {
    const ids = missing.slice(i, i + SWEEP_PAGE);
    await applyPage(
      deps,
      directoryId,
      ids.map((id) => ({ kind: "removed", id, reason: "deleted" }) as const),
      run,
    );
    run.tally.accounts -= ids.length;
  }
};

/** Reads one directory from `link` (null: from the start) to its delta link, applying page by page. */
const readDirectory = async (
  deps: ServiceDeps,
  reader: DirectoryReader,
  directoryId: string,
  link: string | null,
  run: Run,
): Promise<string> => {
  // Only a full read needs the ids it saw (about 100 bytes per account), to find who is gone.
  const seen = link === null ? new Set<string>() : null;
  let next = link;
  for (;;) {
    const page = await reader.readPage(directoryId, next);
    await applyPage(deps, directoryId, page.accounts, run);
    if (seen) for (const a of page.accounts) if (a.kind === "account") seen.add(personIdFor(a.id));
    if (page.deltaLink) {
      if (seen) await sweepMissing(deps, directoryId, seen, run);
      return page.deltaLink;
    }
    next = page.nextLink;
  }
};

const emptyState = (directoryId: string): DirectorySyncState => ({
  directoryId,
  deltaLink: null,
  lastFullSyncAt: null,
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastFailure: null,
});

/** Syncs one directory: from its stored delta link, or in full the first time and when Graph asks. */
const syncOne = async (
  deps: ServiceDeps,
  reader: DirectoryReader,
  directoryId: string,
  force: boolean,
  changes: DirectoryChange[],
): Promise<DirectorySyncResult> => {
  const tally: Tally = { accounts: 0, created: 0, updated: 0, offboarded: 0, reenabled: 0 };
  const state = (await deps.settings.getDirectorySync(directoryId)) ?? emptyState(directoryId);
  const now = deps.clock.now();
  const due =
    !state.lastAttemptAt ||
    now.getTime() - Date.parse(state.lastAttemptAt) >= deps.policy.directorySyncEveryMinutes * MINUTE;
  if (!force && !due) return { directoryId, outcome: "not-due", full: false, ...tally, failure: null };
  const attempt = { ...state, lastAttemptAt: now.toISOString() };
  await deps.settings.saveDirectorySync(attempt);
  const run: Run = { tally, changes: [] };
  let full = attempt.deltaLink === null;
  try {
    let deltaLink: string;
    try {
      deltaLink = await readDirectory(deps, reader, directoryId, attempt.deltaLink, run);
    } catch (e) {
      if (!(e instanceof DirectoryResyncRequired) || full) throw e;
      deps.logger.warn(
        { directoryId },
        "directory sync: Graph no longer knows the delta link; reading the directory in full",
      );
      await deps.settings.saveDirectorySync({ ...attempt, deltaLink: null });
      full = true;
      deltaLink = await readDirectory(deps, reader, directoryId, null, run);
    }
    const at = deps.clock.now().toISOString();
    await deps.settings.saveDirectorySync({
      ...attempt,
      deltaLink,
      lastSuccessAt: at,
      lastFullSyncAt: full ? at : attempt.lastFullSyncAt,
      lastFailure: null,
      lastFailureAt: null,
    });
    changes.push(...run.changes);
    deps.logger.info({ directoryId, full, ...tally }, "directory synced");
    return { directoryId, outcome: "synced", full, ...tally, failure: null };
  } catch (err) {
    // The delta link is kept as it was: the next run reads the same changes again (each is idempotent).
    changes.push(...run.changes);
    const failure =
      err instanceof DirectoryUnavailable
        ? err.reason
        : `${err instanceof Error ? err.name : "Error"}: ${err instanceof Error ? err.message.slice(0, 200) : ""}`;
    deps.logger.warn(
      { directoryId, failure, ...(err instanceof DirectoryUnavailable ? {} : { err }) },
      "directory sync failed; the other directories go on, this one is tried again at the next run",
    );
    await deps.settings
      .saveDirectorySync({ ...attempt, lastFailure: failure, lastFailureAt: deps.clock.now().toISOString() })
      .catch(() => undefined);
    return { directoryId, outcome: "failed", full, ...tally, failure };
  }
};

/** Tells the admins channel, in one note, whom this run offboarded (and enabled again). */
const tellAdmins = async (deps: ServiceDeps, changes: DirectoryChange[]) => {
  if (changes.length === 0) return;
  const address = await adminsChannelAddress(deps, []);
  if (!address) {
    deps.logger.warn({ offboarded: changes.length }, "directory sync: no admins channel known; the note is not posted");
    return;
  }
  try {
    await deps.notifier.postToChannel(address, {
      kind: "directory-offboarding",
      changes,
      total: changes.length,
      tenants: await deps.tenants.list(),
    });
  } catch (err) {
    deps.logger.warn({ err, offboarded: changes.length }, "directory sync: the admins' note could not be posted");
  }
};

/**
 * Directory sync (on its schedule, one instance at a time): each allowed directory the reader can
 * read is brought up to date through Graph's delta query. A failing directory is logged and left for
 * the next run; the others go on. `force` runs even when a directory's period has not passed.
 */
export const syncDirectories = async (
  deps: ServiceDeps,
  options: { force?: boolean } = {},
): Promise<DirectorySyncResult[]> => {
  const reader = deps.directory;
  if (!reader) return [];
  const results: DirectorySyncResult[] = [];
  const changes: DirectoryChange[] = [];
  for (const directoryId of reader.readable(deps.policy.allowedDirectoryIds)) {
    results.push(await syncOne(deps, reader, directoryId, options.force ?? false, changes));
  }
  await tellAdmins(deps, changes);
  return results;
};
