import { invalid } from "./errors.js";

// C0 controls except tab and newline, DEL, C1 controls, and bidirectional overrides that can disguise text.
const FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** Free text from a person (justification, reason, comment): trimmed, bounded, no control characters. */
export const cleanText = (field: string, value: unknown, { min, max }: { min: number; max: number }): string => {
  if (value === undefined || value === null) value = "";
  if (typeof value !== "string") throw invalid(`${field} must be text.`, { field });
  const text = value.replace(/\r\n?/g, "\n").trim();
  const length = [...text].length;
  if (length < min) {
    throw invalid(min === 1 ? `${field} is required.` : `${field} needs at least ${min} characters.`, { field });
  }
  if (length > max) throw invalid(`${field} is too long: ${length} characters, at most ${max}.`, { field });
  if (FORBIDDEN.test(text)) throw invalid(`${field} contains control characters.`, { field });
  return text;
};

export const JUSTIFICATION_MAX = 500;
export const REASON_MAX = 500;
