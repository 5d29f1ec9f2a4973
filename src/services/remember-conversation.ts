import type { ServiceDeps } from "./deps.js";
import type { ConversationAddress } from "./ports.js";

const same = (a: ConversationAddress, b: ConversationAddress) =>
  a.serviceUrl === b.serviceUrl &&
  a.conversationId === b.conversationId &&
  a.botId === b.botId &&
  a.userId === b.userId &&
  a.directoryId === b.directoryId;

/**
 * Stores where a person's personal chat with the bot is, so they can be told outcomes later from any
 * instance. The address comes only from an authenticated incoming activity; unchanged addresses are
 * not rewritten, and nothing is stored for someone the app does not know (they are stored when they ask).
 */
export const rememberPersonalConversation = async (
  deps: ServiceDeps,
  personId: string,
  address: ConversationAddress,
  options: { personKnown?: boolean } = {},
): Promise<void> => {
  if (address.conversationType !== "personal") return;
  if (options.personKnown) {
    // One write rather than a read and a write: the address is saved unless this instance knows it is.
    const cached = deps.conversations.cachedPersonal(personId);
    if (!cached || !same(cached, address)) await deps.conversations.savePersonal(personId, address);
    return;
  }
  const known = await deps.conversations.getPersonal(personId);
  if (known && same(known, address)) return;
  // The caller may have just read or created the person; otherwise check they exist.
  if (!options.personKnown && !(await deps.people.get(personId))) return;
  await deps.conversations.savePersonal(personId, address);
};
