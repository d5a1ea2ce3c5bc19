/**
 * Builds the Microsoft Teams app package: teams/manifest.json with the bot's Microsoft App ID filled in,
 * checked offline against the Teams manifest schema of its `manifestVersion` (shipped by
 * @microsoft/app-manifest), plus the two icons, zipped side by side at the root of the archive.
 *
 *   npm run teams:package -- --app-id 00000000-0000-0000-0000-000000000000 [--out FILE.zip]
 *
 * Without --app-id the id comes from the configuration (MicrosoftAppId with MicrosoftAppPassword). Any
 * problem ends the run with exit status 1 and a sentence on stderr; nothing is written then.
 */
import { createWriteStream, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { inflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import { ZipFile } from 'yazl';
import { loadConfig } from '../config.js';

/** The placeholder in teams/manifest.json that stands for the bot's Microsoft App ID. */
export const APP_ID_PLACEHOLDER = '{{MicrosoftAppId}}';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEMPLATE_DIR = path.join(ROOT, 'teams');
export const DEFAULT_OUT = path.join(ROOT, 'dist', 'teams', 'maturity-pulse-teams.zip');

/** The icon files the manifest refers to, with the sizes Teams requires. */
export const ICONS = { color: { file: 'color.png', size: 192 }, outline: { file: 'outline.png', size: 32 } } as const;

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A problem the person running the tool can fix; the CLI prints its message and exits 1. */
export class PackagingError extends Error {
  override readonly name = 'PackagingError';
}

/** Parses the manifest template with every `{{MicrosoftAppId}}` (the app id and the bot id) replaced. */
export function fillManifest(template: string, appId: string): unknown {
  if (!isGuid(appId)) throw new PackagingError(`The Microsoft App ID must be a GUID such as 00000000-0000-0000-0000-000000000000, got ${JSON.stringify(appId)}.`);
  try {
    return JSON.parse(template.replaceAll(APP_ID_PLACEHOLDER, appId)) as unknown;
  } catch (error) {
    throw new PackagingError(`teams/manifest.json is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Schema validation

// ajv-draft-04 is CommonJS: under Node's ESM loader its default import is the module, whose `default` is Ajv.
const Ajv = AjvModule.default;
const validators = new Map<string, ValidateFunction>();

/** Where @microsoft/app-manifest keeps the schema of one manifest version. */
export function schemaPath(manifestVersion: string): string {
  const packageJson = createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json');
  return path.join(path.dirname(packageJson), 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
}

function validatorFor(manifestVersion: string): ValidateFunction | null {
  const cached = validators.get(manifestVersion);
  if (cached) return cached;
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(schemaPath(manifestVersion), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The only format these schemas use; checked here rather than pulling in ajv-formats.
  ajv.addFormat('uri', { type: 'string', validate: (value: string) => URL.canParse(value) });
  const validate = ajv.compile(schema);
  validators.set(manifestVersion, validate);
  return validate;
}

/** A JSON pointer (`/bots/0/botId`) as a JSON path (`$.bots[0].botId`). */
export function jsonPath(pointer: string): string {
  if (pointer === '') return '$';
  return (
    '$' +
    pointer
      .slice(1)
      .split('/')
      .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
      .map((key) => (/^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`))
      .join('')
  );
}

function childPointer(pointer: string, key: string): string {
  return `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function valueAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return current;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One schema error as "path: what is wrong (what was there)". */
function describeError(error: ErrorObject, manifest: unknown): string {
  const at = error.instancePath;
  const value = valueAt(manifest, at);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${jsonPath(childPointer(at, String(params.missingProperty)))}: is required but missing`;
    case 'additionalProperties':
      return `${jsonPath(childPointer(at, String(params.additionalProperty)))}: is not a property the schema allows here`;
    case 'maxLength':
      return `${jsonPath(at)}: must be at most ${String(params.limit)} characters, got ${typeof value === 'string' ? value.length : '?'} (${shown(value)})`;
    case 'minLength':
      return `${jsonPath(at)}: must be at least ${String(params.limit)} characters, got ${shown(value)}`;
    case 'maxItems':
      return `${jsonPath(at)}: must have at most ${String(params.limit)} items, got ${Array.isArray(value) ? value.length : '?'}`;
    case 'minItems':
      return `${jsonPath(at)}: must have at least ${String(params.limit)} items, got ${Array.isArray(value) ? value.length : '?'}`;
    case 'enum':
      return `${jsonPath(at)}: must be one of ${(params.allowedValues as unknown[]).map((allowed) => JSON.stringify(allowed)).join(', ')}, got ${shown(value)}`;
    case 'const':
      return `${jsonPath(at)}: must be ${JSON.stringify(params.allowedValue)}, got ${shown(value)}`;
    case 'pattern':
      return `${jsonPath(at)}: must match ${String(params.pattern)}, got ${shown(value)}`;
    case 'type':
      return `${jsonPath(at)}: must be of type ${String(params.type)}, got ${shown(value)}`;
    default:
      return `${jsonPath(at)}: ${error.message ?? `fails the "${error.keyword}" rule`}`;
  }
}

/** Every string in the manifest that still holds a `{{...}}` placeholder, with its path. */
function leftoverPlaceholders(value: unknown, pointer = ''): string[] {
  if (typeof value === 'string') {
    const placeholder = /\{\{[^}]*\}\}/.exec(value);
    return placeholder ? [`${jsonPath(pointer)}: still holds the placeholder ${placeholder[0]}`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => leftoverPlaceholders(item, childPointer(pointer, String(index))));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leftoverPlaceholders(item, childPointer(pointer, key)));
  return [];
}

/**
 * Checks a filled manifest against the Teams schema of its own `manifestVersion`. Returns every problem,
 * each starting with its JSON path; an empty list means the manifest is valid.
 */
export function validateManifest(manifest: unknown): string[] {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return ['$: the manifest must be a JSON object'];
  const version = (manifest as Record<string, unknown>).manifestVersion;
  if (typeof version !== 'string') return ['$.manifestVersion: is required to pick the schema, and must be a string such as "1.19"'];
  const validate = validatorFor(version);
  if (!validate) return [`$.manifestVersion: @microsoft/app-manifest has no schema for version ${JSON.stringify(version)}`];
  const problems = validate(manifest) ? [] : (validate.errors ?? []).map((error) => describeError(error, manifest));
  const schemaUrl = (manifest as Record<string, unknown>).$schema;
  const expectedUrl = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  if (schemaUrl !== undefined && schemaUrl !== expectedUrl) problems.push(`$["$schema"]: must be ${expectedUrl} to match manifestVersion ${version}, got ${shown(schemaUrl)}`);
  problems.push(...leftoverPlaceholders(manifest));
  return [...new Set(problems)];
}

// ---------------------------------------------------------------------------------------------------------
// Icons

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  readonly colorType: number;
  readonly interlaced: boolean;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width, height and pixel format from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
export function iconSize(png: Buffer): PngHeader {
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new PackagingError('not a PNG file');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png.readUInt8(24), colorType: png.readUInt8(25), interlaced: png.readUInt8(28) !== 0 };
}

function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const found: { type: string; data: Buffer }[] = [];
  for (let offset = 8; offset + 12 <= png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    found.push({ type, data: png.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  return found;
}

/**
 * The pixels of an 8-bit, non-interlaced RGBA PNG (what resvg writes) as RGBA bytes, or null for any other
 * format. Just enough of a decoder to look at an icon: concatenate IDAT, inflate, undo each row's filter.
 */
export function decodeRgba(png: Buffer): Uint8Array | null {
  const header = iconSize(png);
  if (header.bitDepth !== 8 || header.colorType !== 6 || header.interlaced) return null;
  const raw = inflateSync(Buffer.concat(chunks(png).filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data)));
  const stride = header.width * 4;
  const pixels = new Uint8Array(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= 4 ? (pixels[y * stride + x - 4] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = x >= 4 && y > 0 ? (pixels[(y - 1) * stride + x - 4] ?? 0) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const estimate = left + up - upLeft;
        const [dLeft, dUp, dUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        predictor = dLeft <= dUp && dLeft <= dUpLeft ? left : dUp <= dUpLeft ? up : upLeft;
      } else if (filter !== 0) throw new PackagingError(`unknown PNG row filter ${String(filter)}`);
      pixels[y * stride + x] = (byte + predictor) & 0xff;
    }
  }
  return pixels;
}

/** What is wrong with the icons, one sentence each; an empty list means both are fine. */
export function checkIcons(color: Buffer, outline: Buffer): string[] {
  const problems: string[] = [];
  const headers: Partial<Record<keyof typeof ICONS, PngHeader>> = {};
  for (const [kind, png] of [['color', color], ['outline', outline]] as const) {
    const { file, size } = ICONS[kind];
    try {
      const header = iconSize(png);
      headers[kind] = header;
      if (header.width !== size || header.height !== size) problems.push(`teams/${file} must be ${size}×${size} pixels, it is ${header.width}×${header.height}.`);
    } catch {
      problems.push(`teams/${file} is not a PNG file.`);
    }
  }
  const header = headers.outline;
  if (!header) return problems;
  const hasAlpha = header.colorType === 4 || header.colorType === 6 || (header.colorType === 3 && chunks(outline).some((chunk) => chunk.type === 'tRNS'));
  if (!hasAlpha) {
    problems.push('teams/outline.png has no transparency; Teams needs a white outline on a transparent background.');
    return problems;
  }
  const pixels = decodeRgba(outline);
  if (!pixels) return problems; // A format this small decoder does not read: dimensions and alpha were checked.
  let coloured = 0;
  let transparent = 0;
  let first: string | null = null;
  for (let index = 0; index < pixels.length; index += 4) {
    const [red, green, blue, alpha] = [pixels[index], pixels[index + 1], pixels[index + 2], pixels[index + 3]];
    if (alpha === 0) transparent++;
    else if (red !== 255 || green !== 255 || blue !== 255) {
      coloured++;
      first ??= `(${(index / 4) % header.width}, ${Math.floor(index / 4 / header.width)})`;
    }
  }
  if (coloured > 0) problems.push(`teams/outline.png may hold only white or fully transparent pixels; ${coloured} are coloured, the first at ${first ?? '?'}.`);
  if (transparent === 0) problems.push('teams/outline.png has no fully transparent pixel; its background must be transparent.');
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Packaging

export interface PackageFiles {
  readonly manifest: Buffer;
  readonly color: Buffer;
  readonly outline: Buffer;
}

/** Reads, fills and checks everything that goes into the package; throws a PackagingError listing every problem. */
export function preparePackage(appId: string, templateDir = TEMPLATE_DIR): PackageFiles {
  const read = (file: string): Buffer => {
    try {
      return readFileSync(path.join(templateDir, file));
    } catch {
      throw new PackagingError(`Cannot read ${path.join(templateDir, file)}.`);
    }
  };
  const manifest = fillManifest(read('manifest.json').toString('utf8'), appId);
  const color = read(ICONS.color.file);
  const outline = read(ICONS.outline.file);
  const problems = validateManifest(manifest);
  const icons = (manifest as { icons?: { color?: unknown; outline?: unknown } }).icons;
  if (icons?.color !== ICONS.color.file || icons.outline !== ICONS.outline.file) {
    problems.push(`$.icons: must name "${ICONS.color.file}" and "${ICONS.outline.file}", the files shipped in teams/`);
  }
  problems.push(...checkIcons(color, outline));
  if (problems.length > 0) {
    throw new PackagingError(`The Teams app package has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
  return { manifest: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), color, outline };
}

/** A fixed timestamp keeps the archive identical from one run to the next for the same inputs. */
const ZIP_TIME = new Date(2025, 0, 1);

/** Writes manifest.json, color.png and outline.png at the root of a new zip file (replacing `out`). */
export async function writePackage(files: PackageFiles, out: string): Promise<void> {
  const zip = new ZipFile();
  zip.addBuffer(files.manifest, 'manifest.json', { mtime: ZIP_TIME, mode: 0o100644 });
  zip.addBuffer(files.color, ICONS.color.file, { mtime: ZIP_TIME, mode: 0o100644 });
  zip.addBuffer(files.outline, ICONS.outline.file, { mtime: ZIP_TIME, mode: 0o100644 });
  zip.end();
  const partial = `${out}.${process.pid}.partial`;
  try {
    mkdirSync(path.dirname(out), { recursive: true });
    await pipeline(zip.outputStream, createWriteStream(partial));
    renameSync(partial, out);
  } catch (error) {
    rmSync(partial, { force: true });
    const reason = error instanceof Error && 'code' in error ? String(error.code) : error instanceof Error ? error.message : String(error);
    throw new PackagingError(`Cannot write ${out} (${reason}).`);
  }
}

function appIdFrom(option: string | undefined): string {
  if (option !== undefined) return option.trim();
  const loaded = loadConfig();
  const configured = loaded.ok ? loaded.config.teams?.appId : undefined;
  if (configured !== undefined) return configured;
  const why = loaded.ok ? '' : ` (the environment has problems: ${loaded.problems.join('; ')})`;
  throw new PackagingError(`No Microsoft App ID: pass --app-id <GUID> or set MicrosoftAppId and MicrosoftAppPassword${why}.`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('teams-package')
    .description('Fill in teams/manifest.json, check it and its icons, and zip them into a Teams app package.')
    .option('--app-id <guid>', "the bot's Microsoft App ID (default: MicrosoftAppId from the environment)")
    .option('--out <file>', `where to write the zip (default: ${path.relative(process.cwd(), DEFAULT_OUT) || DEFAULT_OUT})`)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'teams-package: ')) });
  try {
    program.parse(argv, { from: 'node' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<{ appId?: string; out?: string }>();
  try {
    const files = preparePackage(appIdFrom(options.appId));
    const out = path.resolve(options.out ?? DEFAULT_OUT);
    await writePackage(files, out);
    process.stdout.write(`${out}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof PackagingError)) throw error;
    process.stderr.write(`teams-package: ${error.message}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`teams-package: Unexpected error: ${error instanceof Error ? error.message : String(error)}.\n`);
      process.exitCode = 1;
    },
  );
}
