import type {
  AuditLog,
  Background,
  Clock,
  ConversationStore,
  DecisionStore,
  DirectoryReader,
  Logger,
  Notifier,
  PeopleStore,
  RequestStore,
  ReviewStore,
  SettingsStore,
  TenantStore,
} from "./ports.js";

/** Who may use the app at all, and who is an admin from the first start. */
export type AccessPolicy = {
  /** Entra directory (tenant) ids whose people may use the app; the first is the MSP's own. */
  allowedDirectoryIds: readonly string[];
  /** Lower-case Entra object ids and UPNs that are MSP Admins from the first start. */
  initialAdmins: readonly string[];
  /** The admins channel from configuration, used until an MSP Admin chooses one in Teams. */
  adminChannelId: string | null;
  /** How many requests one person may file per hour (so nobody floods the admins channel). */
  requestsPerHour: number;
  /** Minutes between syncs of one directory (directory sync runs only with a reader in the deps). */
  directorySyncEveryMinutes: number;
  /** Time-bound access, reminders and stale requests; whether people may ask at all. */
  governance: {
    expiryReminderHours: number;
    pendingReminderHours: number;
    pendingExpiryDays: number;
    selfRegistration: boolean;
    contact: string;
    /** Start an access review every this many days (0: only on demand). */
    reviewEveryDays: number;
    /** Days reviewers have to decide. */
    reviewDays: number;
    /** What happens to users nobody reviewed by the deadline. */
    reviewDefault: "keep" | "revoke";
  };
};

/** Everything a use case may touch: ports only, never an SDK. */
export type ServiceDeps = {
  people: PeopleStore;
  requests: RequestStore;
  decisions: DecisionStore;
  reviews: ReviewStore;
  audit: AuditLog;
  tenants: TenantStore;
  settings: SettingsStore;
  conversations: ConversationStore;
  notifier: Notifier;
  /** Reads the allowed directories' accounts (Microsoft Graph); null: directory sync is off. */
  directory: DirectoryReader | null;
  clock: Clock;
  logger: Logger;
  background: Background;
  policy: AccessPolicy;
  /** Test-only crash points (local mode): the process dies at the named point, as after a power cut. */
  crashPoint?: { name: string; crash: () => void } | null;
};
