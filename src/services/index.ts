import { noteChannelActivity } from "./admin-channel.js";
import { cancelAccessRequest } from "./cancel-access-request.js";
import { decideAccessRequest, requestForDecider, type DecideInput } from "./decide-access-request.js";
import type { ServiceDeps } from "./deps.js";
import { getAccessStatus } from "./get-access-status.js";
import { listPendingRequests } from "./list-pending-requests.js";
import type { ConversationAddress } from "./ports.js";
import { rememberPersonalConversation } from "./remember-conversation.js";
import { setAdminChannel, type SetAdminChannelInput } from "./set-admin-channel.js";
import { submitAccessRequest, type SubmitInput } from "./submit-access-request.js";
import type { Identity } from "../domain/person.js";
import { changeAssignment, type AssignmentInput } from "./change-assignment.js";
import { getMe } from "./get-me.js";
import { runGovernance } from "./govern-access.js";
import { syncDirectories } from "./sync-directory.js";
import {
  decideReviewItem,
  exportReview,
  getReview,
  listReviews,
  startAccessReview,
  type ReviewDecisionInput,
  type ReviewQuery,
} from "./access-reviews.js";
import { accessReport, exportAudit, listAudit, type AuditQuery } from "./read-audit.js";
import { getPerson } from "./get-person.js";
import { listPeople, type PeopleQuery } from "./list-people.js";
import { createTenant, listTenants, updateTenant } from "./manage-tenants.js";
import { setPersonEnabled } from "./set-person-enabled.js";
import { personIdFor } from "../domain/person.js";
import { checkDirectory } from "./actors.js";

/** The use cases with their dependencies bound: what the transports (bot, HTTP API) call. */
export const createServices = (deps: ServiceDeps) => ({
  getMe: (identity: Identity) => getMe(deps, identity),
  runGovernance: () => runGovernance(deps),
  /** Syncs every readable directory now, due or not (the schedule runs only due ones). */
  syncDirectories: () => syncDirectories(deps, { force: true }),
  startAccessReview: (identity: Identity) => startAccessReview(deps, { identity }),
  decideReviewItem: (input: ReviewDecisionInput) => decideReviewItem(deps, input),
  listReviews: (identity: Identity) => listReviews(deps, identity),
  getReview: (identity: Identity, reviewId: unknown, query: ReviewQuery) => getReview(deps, identity, reviewId, query),
  exportReview: (identity: Identity, reviewId: unknown) => exportReview(deps, identity, reviewId),
  listAudit: (identity: Identity, query: AuditQuery) => listAudit(deps, identity, query),
  exportAudit: (identity: Identity, query: AuditQuery) => exportAudit(deps, identity, query),
  accessReport: (identity: Identity) => accessReport(deps, identity),
  /** Whether people may ask for access, and whom to contact when they may not. */
  selfRegistration: () => ({ open: deps.policy.governance.selfRegistration, contact: deps.policy.governance.contact }),
  listPeople: (identity: Identity, query: PeopleQuery) => listPeople(deps, identity, query),
  getPerson: (identity: Identity, personId: unknown) => getPerson(deps, identity, personId),
  changeAssignment: (input: AssignmentInput) => changeAssignment(deps, input),
  setPersonEnabled: (input: Parameters<typeof setPersonEnabled>[1]) => setPersonEnabled(deps, input),
  listTenantsFor: (identity: Identity) => listTenants(deps, identity),
  createTenant: (identity: Identity, input: Parameters<typeof createTenant>[2]) => createTenant(deps, identity, input),
  updateTenant: (identity: Identity, input: Parameters<typeof updateTenant>[2]) => updateTenant(deps, identity, input),
  clock: deps.clock,
  getAccessStatus: (identity: Identity, profile?: () => Promise<Identity>) => getAccessStatus(deps, identity, profile),
  submitAccessRequest: (input: SubmitInput) => submitAccessRequest(deps, input),
  cancelAccessRequest: (identity: Identity) => cancelAccessRequest(deps, identity),
  decideAccessRequest: (input: DecideInput) => decideAccessRequest(deps, input),
  requestForDecider: (identity: Identity, requestId: unknown) => requestForDecider(deps, identity, requestId),
  listPendingRequests: (
    identity: Identity,
    page: { pageSize: number; continuation?: string | null },
    profile?: () => Promise<Identity>,
  ) => listPendingRequests(deps, identity, page, profile),
  setAdminChannel: (input: SetAdminChannelInput) => setAdminChannel(deps, input),
  getAdminChannel: () => deps.settings.getAdminChannel(),
  listTenants: () => deps.tenants.list(),
  /** Is this directory allowed to use the app at all? */
  isDirectoryAllowed: (directoryId: string) => deps.policy.allowedDirectoryIds.includes(directoryId.toLowerCase()),
  rememberPersonalConversation: (identity: Identity, address: ConversationAddress) => {
    checkDirectory(deps, identity);
    return rememberPersonalConversation(deps, personIdFor(identity.objectId), address);
  },
  noteChannelActivity: (channelId: string, teamId: string | null, address: ConversationAddress) =>
    noteChannelActivity(deps, channelId, teamId, address),
  /** Runs bookkeeping after the turn has answered; failures are logged. */
  inBackground: (name: string, work: () => Promise<unknown>) => deps.background.run(name, work),
});
export type AppServices = ReturnType<typeof createServices>;
