import { existsSync, readFileSync } from 'node:fs';

/**
 * docs/PERFORMANCE.md keeps earlier figures: each run moves the previous file's figures, headings
 * demoted, to the top of its "Previous runs" section, which every later run carries along.
 */
export const PREVIOUS = '## Previous runs';
/** A hand-written section that every run carries over as it is (the changes made for speed, each with its measured effect). */
export const CHANGES = '## Changes and their measured effect';

export function keptSection(file: string, heading = CHANGES): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at === -1) return undefined;
  const rest = text.slice(at + 1);
  const end = rest.indexOf('\n## ', heading.length);
  return (end === -1 ? rest : rest.slice(0, end)).trim();
}

export function previousRuns(file: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(`\n${PREVIOUS}\n`);
  const kept = keptSection(file);
  const current = (at === -1 ? text : text.slice(0, at))
    .replace(kept ?? '\u0000', '')
    .replace(/^# Performance\n+/, '')
    .trim();
  const older = at === -1 ? '' : text.slice(at + PREVIOUS.length + 2).trim();
  const demoted = current.replace(/^(#{2,5}) /gm, '#$1 ');
  const written = /Written by `npm run bench`[^\n]*? on (\d{4}-\d{2}-\d{2})/.exec(current)?.[1] ?? 'an earlier date';
  return [`### Run of ${written}`, '', demoted, older ? `\n${older}` : ''].join('\n').trim();
}
