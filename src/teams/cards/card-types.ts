/** The slice of the Adaptive Card schema (1.5) that Access Desk's cards use. */
export type TextBlock = {
  type: "TextBlock";
  text: string;
  wrap?: boolean;
  weight?: "Default" | "Lighter" | "Bolder";
  size?: "Small" | "Default" | "Medium" | "Large" | "ExtraLarge";
  color?: "Default" | "Accent" | "Good" | "Warning" | "Attention";
  isSubtle?: boolean;
  spacing?: "None" | "Small" | "Default" | "Medium" | "Large";
  style?: "default" | "heading";
  maxLines?: number;
};
export type Fact = { title: string; value: string };
export type FactSet = { type: "FactSet"; facts: Fact[]; spacing?: TextBlock["spacing"] };
export type Choice = { title: string; value: string };
export type ChoiceSetInput = {
  type: "Input.ChoiceSet";
  id: string;
  label: string;
  choices: Choice[];
  value?: string;
  style?: "compact" | "expanded";
  isMultiSelect?: boolean;
  isRequired?: boolean;
  errorMessage?: string;
  placeholder?: string;
};
export type TextInput = {
  type: "Input.Text";
  id: string;
  label: string;
  placeholder?: string;
  isMultiline?: boolean;
  maxLength?: number;
  isRequired?: boolean;
  errorMessage?: string;
};
export type Container = {
  type: "Container";
  items: Element[];
  style?: "default" | "emphasis" | "good" | "attention" | "warning" | "accent";
  spacing?: TextBlock["spacing"];
  separator?: boolean;
};
export type ActionSet = { type: "ActionSet"; actions: Action[]; spacing?: TextBlock["spacing"] };
export type Element = TextBlock | FactSet | ChoiceSetInput | TextInput | Container | ActionSet;

export type ExecuteAction = {
  type: "Action.Execute";
  title: string;
  verb: string;
  data: Record<string, string>;
  style?: "default" | "positive" | "destructive";
  associatedInputs?: "auto" | "none";
};
export type Action = ExecuteAction;

export type AdaptiveCard = {
  type: "AdaptiveCard";
  $schema: "http://adaptivecards.io/schemas/adaptive-card.json";
  version: "1.5";
  body: Element[];
  actions?: Action[];
  msteams?: { width?: "Full" };
};

/** An Adaptive Card with the schema and version every Access Desk card uses. */
export const adaptiveCard = (body: Element[], actions?: Action[]): AdaptiveCard => ({
  type: "AdaptiveCard",
  $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
  version: "1.5",
  body,
  ...(actions && actions.length > 0 ? { actions } : {}),
});

export const text = (value: string, extra: Omit<TextBlock, "type" | "text"> = {}): TextBlock => ({
  type: "TextBlock",
  text: value,
  wrap: true,
  ...extra,
});

export const heading = (value: string): TextBlock =>
  text(value, { size: "Medium", weight: "Bolder", style: "heading" });

export const facts = (entries: Array<[string, string | null | undefined]>): FactSet => ({
  type: "FactSet",
  facts: entries
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
    .map(([title, value]) => ({ title, value })),
});

/** People's own text, with the markdown that could disguise it (links, emphasis, html) escaped. */
export const plain = (value: string): string => value.replace(/([\\`*_[\]()<>~])/g, "\\$1");

/** A timestamp Teams renders in the reader's own time zone and locale. */
export const when = (iso: string): string => {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const s = t.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `{{DATE(${s}, SHORT)}} {{TIME(${s})}}`;
};
