/** The text commands the bot understands, declared once; parsing is pure and order-free. */
export const COMMANDS = {
  help: ["help", "?", "commands", "hi", "hello"],
  "request-access": ["request access", "request", "access"],
  status: ["status", "my access", "whoami"],
  cancel: ["cancel", "cancel request", "withdraw"],
  pending: ["pending", "pending requests"],
  "use-channel": ["use this channel for approvals"],
  "start-review": ["start access review", "start review"],
} as const satisfies Record<string, readonly string[]>;

export type CommandName = keyof typeof COMMANDS;
export type Command = { name: CommandName; rest: string } | { name: "unknown"; rest: string };

const normalise = (text: string) =>
  text
    .replace(/<at>[^<]*<\/at>/gi, " ")
    .replace(/\s+/g, " ")
    .trim();

/**
 * Reads a command from a message: the longest known phrase the text starts with (case-insensitive),
 * and the rest of the text (for example the justification after "request access").
 */
export const parseCommand = (raw: string | undefined): Command => {
  const text = normalise(raw ?? "");
  const lower = text.toLowerCase();
  let best: { name: CommandName; phrase: string } | null = null;
  for (const [name, phrases] of Object.entries(COMMANDS) as Array<[CommandName, readonly string[]]>) {
    for (const phrase of phrases) {
      const matches = lower === phrase || lower.startsWith(`${phrase} `) || lower.startsWith(`${phrase}:`);
      if (matches && (!best || phrase.length > best.phrase.length)) best = { name, phrase };
    }
  }
  if (!best) return { name: "unknown", rest: text };
  const rest = text
    .slice(best.phrase.length)
    .replace(/^[:\s]+/, "")
    .trim();
  // Only "request access" takes an argument; other commands followed by text are not commands.
  if (rest && best.name !== "request-access") return { name: "unknown", rest: text };
  return { name: best.name, rest };
};
