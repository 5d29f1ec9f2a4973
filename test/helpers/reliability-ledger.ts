/** The figures the reliability tests print: what was tried, what was injected, and what was lost or doubled. */
export const figures: string[] = [];
export const totals = { lost: 0, duplicated: 0 };

export const report = (name: string, numbers: Record<string, number>, lost: number, duplicated: number) => {
  totals.lost += lost;
  totals.duplicated += duplicated;
  const parts = Object.entries(numbers).map(([k, v]) => `${k} ${v}`);
  figures.push(`${name}: ${parts.join(", ")}; lost ${lost}, duplicated ${duplicated}`);
};
