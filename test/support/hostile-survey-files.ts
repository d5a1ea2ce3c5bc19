import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SURVEYS } from './processes.js';

/** "Billion laughs": nine levels of nine aliases each, 9^9 strings once expanded, from under 1 KB of YAML. */
export function aliasBomb(): string {
  const names = 'abcdefghi';
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let index = 1; index < names.length; index += 1) {
    lines.push(`${names[index]}: &${names[index]} [${Array.from({ length: 9 }, () => `*${names[index - 1]}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Valid YAML, exactly one and a half megabytes of it: comment lines. */
export function oversizedYaml(): string {
  const text = `id: too-big\n${`# ${'padding '.repeat(12)}\n`.repeat(20_000)}`;
  return text.slice(0, 1.5 * 1024 * 1024);
}

/** A surveys directory with one good survey (`a-good.yaml`), an alias bomb (`b-bomb.yaml`) and a 1.5 MB file (`c-huge.yml`). */
export function writeHostileSurveyDirectory(dir: string): void {
  copyFileSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), path.join(dir, 'a-good.yaml'));
  writeFileSync(path.join(dir, 'b-bomb.yaml'), aliasBomb());
  writeFileSync(path.join(dir, 'c-huge.yml'), oversizedYaml());
}
