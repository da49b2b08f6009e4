/**
 * Several reads in one round trip: a script runs each part in a subshell and prints a marker line
 * before its output; `sections` splits the output back into the exact output of each part.
 */
const MARK = '\x1ePGPLAY-SECTION:';

/** A sh script running each command (stderr discarded) and labelling its output. */
export function sectionScript(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([name, cmd]) => `printf '\\n\\036PGPLAY-SECTION:%s\\n' ${name}\n( ${cmd}\n) 2>/dev/null`)
    .join('\n');
}

/** The output of each part of a `sectionScript`, by name. */
export function sections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  const chunks = stdout.split(`\n${MARK}`);
  for (const chunk of chunks.slice(1)) {
    const nl = chunk.indexOf('\n');
    out[chunk.slice(0, nl)] = chunk.slice(nl + 1);
  }
  return out;
}
