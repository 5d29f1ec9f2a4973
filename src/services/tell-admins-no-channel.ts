import type { AccessRequest } from "../domain/access-request.js";
import { activeRole } from "../domain/person.js";
import type { ServiceDeps } from "./deps.js";

const MAX_ADMINS_TOLD = 25;

/** No admins channel is set: each MSP Admin the bot can reach is told about the request and how to route it. */
export const tellAdminsNoChannel = async (deps: ServiceDeps, request: AccessRequest): Promise<void> => {
  const now = deps.clock.now();
  const admins = (await deps.people.listByRole("msp-admin", MAX_ADMINS_TOLD)).filter(
    (p) => activeRole(p, now) === "msp-admin",
  );
  let told = 0;
  for (const admin of admins) {
    const address = await deps.conversations.getPersonal(admin.personId);
    if (!address) continue;
    await deps.notifier.sendPersonal(address, { kind: "no-admin-channel", request });
    told++;
  }
  deps.logger.warn(
    { requestId: request.id, adminsTold: told },
    "no admins channel is set: an MSP Admin must say 'use this channel for approvals' in a team channel",
  );
};
