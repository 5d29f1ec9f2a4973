/** The expiry choices offered on the decision card and in the tab. */
export const EXPIRY_CHOICES = {
  never: { label: "Never", ms: null },
  "1h": { label: "1 hour", ms: 3_600_000 },
  "1d": { label: "1 day", ms: 86_400_000 },
  "3d": { label: "3 days", ms: 3 * 86_400_000 },
  "7d": { label: "7 days", ms: 7 * 86_400_000 },
  "30d": { label: "30 days", ms: 30 * 86_400_000 },
  "90d": { label: "90 days", ms: 90 * 86_400_000 },
} as const;
export type ExpiryChoice = keyof typeof EXPIRY_CHOICES;
export const EXPIRY_CHOICE_IDS = Object.keys(EXPIRY_CHOICES) as ExpiryChoice[];

export const isExpiryChoice = (value: unknown): value is ExpiryChoice =>
  typeof value === "string" && Object.hasOwn(EXPIRY_CHOICES, value);

/** The moment an assignment granted now with this choice ends, or null for never. */
export const expiresAtFor = (choice: ExpiryChoice, now: Date): string | null => {
  const ms = EXPIRY_CHOICES[choice].ms;
  return ms === null ? null : new Date(now.getTime() + ms).toISOString();
};
