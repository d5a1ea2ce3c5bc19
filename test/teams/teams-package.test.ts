import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ACCENT_COLOR, renderIcon } from '../../src/tools/teams-icons.js';
import { checkIcons, decodeRgba, fillManifest, iconSize, validateManifest } from '../../src/tools/teams-package.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOL = path.join(ROOT, 'dist', 'tools', 'teams-package.js');
const TEMPLATE = readFileSync(path.join(ROOT, 'teams', 'manifest.json'), 'utf8');
const COLOR = readFileSync(path.join(ROOT, 'teams', 'color.png'));
const OUTLINE = readFileSync(path.join(ROOT, 'teams', 'outline.png'));
const APP_ID = '3f1c2a9e-7b4d-4e8a-9c21-5d6f0a1b2c3d';

interface Manifest {
  id: string;
  manifestVersion: string;
  bots: { botId?: string; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
}

const filled = (): Manifest => fillManifest(TEMPLATE, APP_ID) as Manifest;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'teams-package-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function runTool(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOOL, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Nothing inherited that could configure a Teams bot. */
const cleanEnv = (dir: string, extra: Record<string, string> = {}): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: dir, DATA_DIR: dir, ...extra });

/** The entries of a zip file, read from its central directory (no zip64, no archive comment needed). */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThanOrEqual(0);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let index = 0; index < count; index++) {
    expect(zip.readUInt32LE(offset)).toBe(0x02014b50);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    expect(zip.readUInt32LE(localHeader)).toBe(0x04034b50);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    expect([0, 8]).toContain(method);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('the Teams manifest template', () => {
  it('validates against its schema once the app id is filled in, which becomes the bot id too', () => {
    const manifest = filled();
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]?.botId).toBe(APP_ID);
    expect(TEMPLATE).not.toContain(APP_ID);
  });

  it('offers the personal commands and at most ten per list', () => {
    const lists = filled().bots[0]!.commandLists;
    const personal = lists.find((list) => list.scopes.includes('personal'))!;
    expect(personal.commands.map((command) => command.title).sort()).toEqual(['forget-me', 'help', 'report', 'status']);
    for (const list of lists) expect(list.commands.length).toBeLessThanOrEqual(10);
  });

  it('reports every error of a broken copy with its JSON path', () => {
    const manifest = filled();
    manifest.bots[0]!.commandLists[0]!.commands[1]!.title = 'x'.repeat(40);
    delete manifest.bots[0]!.botId;
    manifest.id = 'not-a-guid';
    const problems = validateManifest(manifest);
    expect(problems).toContain('$.bots[0].commandLists[0].commands[1].title: must be at most 32 characters, got 40 ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")');
    expect(problems).toContain('$.bots[0].botId: is required but missing');
    expect(problems.some((problem) => problem.startsWith('$.id: must match ') && problem.endsWith('got "not-a-guid"'))).toBe(true);
    expect(problems).toHaveLength(3);
  });

  it('refuses too many commands, an unknown property and a placeholder left unfilled', () => {
    const manifest = filled() as Manifest & Record<string, unknown>;
    const commands = manifest.bots[0]!.commandLists[0]!.commands;
    commands.push({ title: 'forget-me', description: 'One too many for a list.' });
    manifest.colour = 'blue';
    manifest.id = '{{MicrosoftAppId}}';
    const problems = validateManifest(manifest);
    expect(problems).toContain('$.bots[0].commandLists[0].commands: must have at most 10 items, got 11');
    expect(problems).toContain('$.colour: is not a property the schema allows here');
    expect(problems).toContain('$.id: still holds the placeholder {{MicrosoftAppId}}');
  });

  it('names the schema version it cannot find', () => {
    expect(validateManifest({ ...filled(), manifestVersion: '0.42' })).toEqual(['$.manifestVersion: @microsoft/app-manifest has no schema for version "0.42"']);
  });

  it('refuses an app id that is not a GUID', () => {
    expect(() => fillManifest(TEMPLATE, 'my-bot')).toThrow('The Microsoft App ID must be a GUID such as 00000000-0000-0000-0000-000000000000, got "my-bot".');
  });
});

describe('the Teams icons', () => {
  it('have the sizes Teams requires, with an alpha channel on the outline', () => {
    expect(iconSize(COLOR)).toMatchObject({ width: 192, height: 192 });
    expect(iconSize(OUTLINE)).toMatchObject({ width: 32, height: 32, colorType: 6 });
    expect(checkIcons(COLOR, OUTLINE)).toEqual([]);
  });

  it('keep the outline white on a transparent background', () => {
    const pixels = decodeRgba(OUTLINE)!;
    expect(pixels).toHaveLength(32 * 32 * 4);
    let drawn = 0;
    for (let index = 0; index < pixels.length; index += 4) {
      if (pixels[index + 3] === 0) continue;
      drawn++;
      expect([pixels[index], pixels[index + 1], pixels[index + 2]]).toEqual([255, 255, 255]);
    }
    expect(drawn).toBeGreaterThan(0);
    expect(pixels[3]).toBe(0); // the corner is background
  });

  it('catches swapped icons, a coloured outline and a file that is not a PNG', () => {
    const swapped = checkIcons(OUTLINE, COLOR);
    expect(swapped.slice(0, 2)).toEqual(['teams/color.png must be 192×192 pixels, it is 32×32.', 'teams/outline.png must be 32×32 pixels, it is 192×192.']);
    expect(swapped[2]).toMatch(/^teams\/outline\.png may hold only white or fully transparent pixels; \d+ are coloured, the first at \(0, 0\)\.$/);
    expect(swapped[3]).toBe('teams/outline.png has no fully transparent pixel; its background must be transparent.');
    const redDot = renderIcon('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect x="4" y="6" width="2" height="2" fill="#FF0000"/></svg>');
    expect(checkIcons(COLOR, redDot)).toEqual(['teams/outline.png may hold only white or fully transparent pixels; 4 are coloured, the first at (4, 6).']);
    expect(checkIcons(COLOR, Buffer.from('GIF89a'))).toEqual(['teams/outline.png is not a PNG file.']);
  });

  it('are decoded faithfully: the colour icon is filled with the accent colour', () => {
    const pixels = decodeRgba(COLOR)!;
    const accent = [...Buffer.from(ACCENT_COLOR.slice(1), 'hex'), 255];
    for (const [x, y] of [[0, 0], [191, 0], [0, 191], [191, 191], [96, 20]] as const) {
      expect(Array.from(pixels.subarray((y * 192 + x) * 4, (y * 192 + x) * 4 + 4))).toEqual(accent);
    }
    expect((filled() as Manifest & { accentColor: string }).accentColor).toBe(ACCENT_COLOR);
  });
});

describe('npm run teams:package', () => {
  it('writes a zip holding exactly manifest.json, color.png and outline.png at its root', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'nested', 'x.zip');
    const result = await runTool(['--app-id', APP_ID, '--out', out], cleanEnv(dir));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toBe(out);
    const entries = readZip(readFileSync(out));
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest;
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]?.botId).toBe(APP_ID);
    expect(validateManifest(manifest)).toEqual([]);
    expect(entries.get('color.png')!.equals(COLOR)).toBe(true);
    expect(entries.get('outline.png')!.equals(OUTLINE)).toBe(true);
  });

  it('takes the app id from MicrosoftAppId when the bot is configured', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'from-env.zip');
    const result = await runTool(['--out', out], cleanEnv(dir, { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'a-password', TEAMS_ALLOWED_TENANT_IDS: 'tenant-1' }));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const manifest = JSON.parse(readZip(readFileSync(out)).get('manifest.json')!.toString('utf8')) as Manifest;
    expect(manifest.id).toBe(APP_ID);
  });

  it('refuses with one sentence and exit status 1 without an app id, or with one that is not a GUID', async () => {
    const dir = tempDir();
    const missing = await runTool(['--out', path.join(dir, 'none.zip')], cleanEnv(dir));
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'teams-package: No Microsoft App ID: pass --app-id <GUID> or set MicrosoftAppId and MicrosoftAppPassword.\n' });
    const wrong = await runTool(['--app-id', 'my-bot', '--out', path.join(dir, 'none.zip')], cleanEnv(dir));
    expect(wrong).toEqual({ code: 1, stdout: '', stderr: 'teams-package: The Microsoft App ID must be a GUID such as 00000000-0000-0000-0000-000000000000, got "my-bot".\n' });
    expect(() => readFileSync(path.join(dir, 'none.zip'))).toThrow();
  });
});
