import type { AccessRequest } from "../../domain/access-request.js";
import { roleLabel } from "../../domain/roles.js";
import { adaptiveCard, heading, plain, text, when, type AdaptiveCard, type Element } from "./card-types.js";

const EXCERPT = 140;

/** The pending requests an admin may decide, oldest first; deciding happens on each request's card. */
export const pendingCard = (requests: readonly AccessRequest[], more: boolean, channelKnown: boolean): AdaptiveCard => {
  if (requests.length === 0) return adaptiveCard([heading("Pending requests"), text("Nothing is waiting for you.")]);
  const rows: Element[] = requests.map((r) => ({
    type: "Container",
    separator: true,
    spacing: "Small",
    items: [
      text(
        `**${plain(r.requester.name || r.requester.upn || r.requester.objectId)}**${r.requester.upn ? ` · ${plain(r.requester.upn)}` : ""}`,
      ),
      text(
        `Waiting since ${when(r.createdAt)} · wished role: ${r.wishedRole ? roleLabel(r.wishedRole) : "no preference"}`,
        { isSubtle: true, spacing: "None" },
      ),
      text(plain(r.justification.length > EXCERPT ? `${r.justification.slice(0, EXCERPT)}…` : r.justification), {
        spacing: "None",
        maxLines: 3,
      }),
    ],
  }));
  return adaptiveCard([
    heading(`Pending requests: ${requests.length}${more ? "+" : ""}`),
    ...rows,
    text(
      channelKnown
        ? "Decide each one on its card in the admins channel."
        : "No admins channel is set: in a team channel, mention me with **use this channel for approvals**.",
      { isSubtle: true, spacing: "Medium" },
    ),
  ]);
};
