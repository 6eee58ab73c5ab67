import { existsSync, readFileSync } from 'node:fs';

/**
 * docs/PERFORMANCE.md keeps earlier figures: each run moves the previous file's figures, headings
 * demoted, to the top of its "Previous runs" section, which every later run carries along.
 */
export const PREVIOUS = '## Previous runs';

export function previousRuns(file: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(`\n${PREVIOUS}\n`);
  const current = (at === -1 ? text : text.slice(0, at)).replace(/^# Performance\n+/, '').trim();
  const older = at === -1 ? '' : text.slice(at + PREVIOUS.length + 2).trim();
  const demoted = current.replace(/^(#{2,5}) /gm, '#$1 ');
  const written = /Written by `npm run bench` on (\S+?):/.exec(current)?.[1] ?? 'an earlier date';
  return [`### Run of ${written}`, '', demoted, older ? `\n${older}` : ''].join('\n').trim();
}
