import { MSP_TENANT_ID } from "../domain/tenant.js";
import type { ServiceDeps } from "./deps.js";
import { createPerson } from "./register-person.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * First-start state, created only when missing: the MSP's own tenant (linked to the first allowed
 * directory), the initial admins listed by object id, and the admins channel from configuration.
 * Existing records are never overwritten, so later changes made by admins survive restarts.
 */
export const bootstrap = async (deps: ServiceDeps, options: { mspTenantName: string }): Promise<void> => {
  const now = deps.clock.now().toISOString();
  const mspDirectory = deps.policy.allowedDirectoryIds[0]!;
  await deps.tenants.ensure({
    id: MSP_TENANT_ID,
    name: options.mspTenantName,
    kind: "msp",
    directoryId: mspDirectory,
    createdAt: now,
  });
  for (const entry of deps.policy.initialAdmins.filter((a) => GUID.test(a))) {
    if (await deps.people.get(entry)) continue;
    await createPerson(
      deps,
      { objectId: entry, directoryId: mspDirectory, name: null, upn: null, email: null },
      "initial-admin",
    );
  }
  const configured = deps.policy.adminChannelId;
  if (configured) {
    const current = await deps.settings.getAdminChannel();
    if (!current || (current.source === "config" && current.channelId !== configured)) {
      await deps.settings.saveAdminChannel({
        channelId: configured,
        teamId: null,
        address: null,
        source: "config",
        setBy: null,
        setAt: now,
      });
    } else if (current.channelId !== configured) {
      deps.logger.warn(
        { configured, chosen: current.channelId, chosenBy: current.setBy?.name, at: current.setAt },
        "ADMIN_CHANNEL_ID is not used: an MSP Admin chose another channel with 'use this channel for approvals'",
      );
    }
  }
};
