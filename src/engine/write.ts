import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Stage 7, write: replaces `target` with exactly `files` (relative path to content). Writes a
 * sibling temp folder, then swaps it in with renames, so a failure never leaves a half-written
 * folder.
 */
export function writeTreeAtomically(target: string, files: Map<string, string>, mode?: number): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    for (const [rel, content] of files) {
      const full = path.join(tmp, rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content, mode === undefined ? undefined : { mode });
    }
    const old = `${tmp}.old`;
    const hadTarget = fs.existsSync(target);
    if (hadTarget) fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Stage 7 for `check`, writing nothing: the differences between the files under `dir` and the
 * expected files, readable as a short diff (`missing:`, `changed:` with the lines, `extra:`).
 */
export function compareTree(dir: string, files: Map<string, string>): string[] {
  const out: string[] = [];
  const onDisk = new Set(listTree(dir));
  for (const [rel, content] of files) {
    const full = path.join(dir, rel);
    if (!onDisk.has(rel)) { out.push(`missing: ${full}`); continue; }
    const actual = fs.readFileSync(full, 'utf8');
    if (actual !== content) out.push(`changed: ${full}\n${lineDiff(actual, content)}`);
  }
  for (const rel of onDisk) if (!files.has(rel)) out.push(`extra: ${path.join(dir, rel)}`);
  return out;
}

/** Lists every file under dir, relative, with '/' separators. */
function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(path.sep).join('/'))
    .sort();
}

/** A compact diff: the lines that differ, with their line numbers (at most 20). */
function lineDiff(actual: string, expected: string): string {
  const a = actual.split('\n');
  const b = expected.split('\n');
  const lines: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && lines.length < 40; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) lines.push(`  ${i + 1}- ${a[i]}`);
    if (b[i] !== undefined) lines.push(`  ${i + 1}+ ${b[i]}`);
  }
  return lines.join('\n');
}
