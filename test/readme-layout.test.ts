import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readme } from './harness/readme';

const root = path.join(__dirname, '..');

/** The folders the README's architecture table names in its first column. */
function tabledFolders(): string[] {
  const section = readme().split('## Architecture')[1]!.split('\n## ')[0]!;
  const rows = section.split('\n').filter((line) => /^\| `/.test(line));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
}

describe("the README's folder table is the layout", () => {
  it('names every folder of src/ and the entry point', () => {
    const folders = readdirSync(path.join(root, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `src/${entry.name}`);
    expect(folders.filter((folder) => !tabledFolders().includes(folder))).toEqual([]);
    expect(tabledFolders()).toContain('src/cli.ts');
  });

  it('names nothing that is not there', () => {
    expect(tabledFolders().filter((named) => !existsSync(path.join(root, named)))).toEqual([]);
  });
});
