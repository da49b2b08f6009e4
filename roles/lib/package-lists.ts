/** Package names from Pigsty-style lists: comma/space separated, `${pg_version}` / `$v` substituted. */
export function expandPackages(lists: string[], version: number): string[] {
  const out: string[] = [];
  for (const l of lists ?? []) {
    for (const p of String(l).split(/[\s,]+/)) {
      const name = p.replace(/\$\{pg_version\}/g, String(version)).replace(/\$v\b/g, String(version)).trim();
      if (name && !out.includes(name)) out.push(name);
    }
  }
  return out;
}
