import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AspectExportSchema, OrganisationSchema, TeamExportSchema } from '../../src/adapters/web/api/schemas.js';
import { csvField, toCsv } from '../../src/adapters/web/csv.js';
import { ASPECT_CSV_HEADER, ORGANISATION_CSV_HEADER, TEAM_CSV_HEADER } from '../../src/adapters/web/routes/exports.js';
import { DEMO_WORKSPACE } from '../../src/demo/demo-organisation.js';
import { setupTeam } from '../../src/services/team-service.js';
import { signInAs, startWebHarness, type WebHarness } from '../support/web-harness.js';

const EVIL_NAME = "=cmd|' /C calc'!A0";

/** RFC 4180, strictly: CRLF after every record, quoted fields with doubled quotes, nothing else. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else field += char;
      i += 1;
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else if (char === '\n' || char === '\r' || char === '"') throw new Error(`stray ${JSON.stringify(char)} at ${i}`);
    else field += char;
    i += 1;
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}

/** Records as objects keyed by the header line, which must be `header`. */
function csvObjects(text: string, header: readonly string[]): Record<string, string>[] {
  const [first, ...rest] = parseCsv(text);
  expect(first).toEqual(header);
  for (const record of rest) expect(record).toHaveLength(header.length);
  return rest.map((record) => Object.fromEntries(header.map((name, index) => [name, record[index] ?? ''])));
}

describe('CSV writing', () => {
  it('quotes by RFC 4180 and ends every line with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x, y', 'say "hi"'], ['two\nlines', null]])).toBe('a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",\r\n');
    expect(parseCsv(toCsv(['a'], [['x, "y"\r\nz']]))).toEqual([['a'], ['x, "y"\r\nz']]);
  });

  it('neutralises text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvField(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField(EVIL_NAME)).toBe(`'${EVIL_NAME}`);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField(-0.4)).toBe('-0.4');
    expect(csvField(2.5)).toBe('2.5');
    expect(csvField('Payments')).toBe('Payments');
    expect(csvField(null)).toBe('');
  });
});

describe('downloads', () => {
  let harness: WebHarness;
  const cookies: Record<string, string> = {};

  async function get(path: string, who: string | null): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${harness.baseUrl}${path}`, { headers: who ? { cookie: cookies[who]! } : {}, redirect: 'manual' });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function teamIdOf(name: string): Promise<number> {
    const team = (await harness.ctx.store.listTeams()).find((candidate) => candidate.name === name);
    if (!team) throw new Error(`no team ${name}`);
    return team.id;
  }

  beforeAll(async () => {
    harness = await startWebHarness();
    for (const key of ['pm', 'lead', 'engineer', 'admin']) cookies[key] = await signInAs(harness, key);
    const payments = (await harness.ctx.store.listTeams()).find((team) => team.name === 'Payments')!;
    const created = await setupTeam(harness.ctx, harness.person('admin').person, {
      name: EVIL_NAME,
      channel: { platform: 'demo', workspaceId: DEMO_WORKSPACE, channelId: '#spreadsheet-trouble' },
      surveyId: payments.surveyId,
      cadence: { everyWeeks: 1, weekday: 2, localTime: '10:00', timeZone: 'UTC', roundLengthHours: 48 },
    });
    expect(created.kind).toBe('created');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('downloads exactly the rows of the filtered, sorted organisation as CSV and as JSON', async () => {
    const query = '?team=a&sort=participation&dir=desc';
    const csv = await get(`/export/organisation.csv${query}`, 'pm');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="organisation-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csv.headers.get('cache-control')).toContain('no-store');
    const json = await get(`/export/organisation.json${query}`, 'pm');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="organisation-\d{4}-\d{2}-\d{2}\.json"$/);
    const organisation = OrganisationSchema.parse(JSON.parse(json.text));

    const expected = organisation.surveys.flatMap((survey) => survey.rows.flatMap((row) => row.cells.map((cell) => [String(row.teamId), row.teamName, cell.aspectId, cell.status])));
    const rows = csvObjects(csv.text, ORGANISATION_CSV_HEADER);
    // (A name a spreadsheet would run, such as the one set up above, is the only text that gains a leading apostrophe.)
    const unneutralised = (text: string) => text.replace(/^'(?=[=+\-@\t\r])/, '');
    expect(rows.map((row) => [row.team_id, unneutralised(row.team!), row.aspect_id, row.status])).toEqual(expected);
    // The filter took effect (not every team has an "a"), and the rows are the API's for the same query.
    const teamNames = [...new Set(rows.map((row) => row.team))];
    expect(teamNames.length).toBeGreaterThan(1);
    expect(teamNames.every((name) => name?.toLowerCase().includes('a'))).toBe(true);
    expect(teamNames.length).toBeLessThan((await harness.ctx.store.listTeams()).length);
    const api = await get(`/api/v1/organisation${query}`, 'pm');
    expect(JSON.parse(api.text)).toEqual(organisation);
  });

  it('neutralises a team name that a spreadsheet would run as a formula', async () => {
    const csv = await get('/export/organisation.csv', 'pm');
    expect(csv.status).toBe(200);
    const rows = csvObjects(csv.text, ORGANISATION_CSV_HEADER);
    const evil = rows.filter((row) => row.team === `'${EVIL_NAME}`);
    expect(evil.length).toBeGreaterThan(0);
    expect(evil.every((row) => row.status === 'not-asked' && row.level === '')).toBe(true);
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+@\t\r]/);
    // JSON is data, not a spreadsheet: the name arrives as it is.
    const json = OrganisationSchema.parse(JSON.parse((await get('/export/organisation.json', 'pm')).text));
    expect(json.surveys.flatMap((survey) => survey.rows.map((row) => row.teamName))).toContain(EVIL_NAME);
    const team = await get(`/export/teams/${await teamIdOf(EVIL_NAME)}.csv`, 'admin');
    expect(team.status).toBe(200);
    expect(team.headers.get('content-disposition')).toMatch(/^attachment; filename="team-cmd-c-calc-a0-\d{4}-\d{2}-\d{2}\.csv"$/);
  });

  it('exports hidden cells as an empty value with their shortfall, never a number', async () => {
    const rows = csvObjects((await get('/export/organisation.csv', 'pm')).text, ORGANISATION_CSV_HEADER);
    const hidden = rows.filter((row) => row.status === 'hidden');
    expect(hidden.length).toBeGreaterThan(0);
    for (const row of hidden) {
      expect([row.level, row.level_name, row.change, row.trend]).toEqual(['', '', '', '']);
      expect(row.note).toMatch(/^(\d+ answered, results need \d+|too few answers with a level, results need \d+)$/);
    }
    for (const row of rows.filter((candidate) => candidate.status === 'level')) expect(row.level).toMatch(/^\d+(\.\d)?$/);

    // A team's download: hidden aspects and rounds that did not count carry their shortfall only.
    const quiet = new Set(hidden.map((row) => row.team_id));
    let checked = 0;
    for (const teamId of quiet) {
      const csv = await get(`/export/teams/${teamId}.csv`, 'pm');
      expect(csv.status).toBe(200);
      for (const row of csvObjects(csv.text, TEAM_CSV_HEADER)) {
        if (row.status !== 'hidden' && row.status !== 'too-few') continue;
        checked += 1;
        expect([row.level, row.level_name, row.change, row.respondents]).toEqual(['', '', '', '']);
        expect(row.note).toMatch(/results need \d+$/);
      }
      const json = TeamExportSchema.parse(JSON.parse((await get(`/export/teams/${teamId}.json`, 'pm')).text));
      for (const aspect of json.aspects) if (aspect.status === 'hidden') expect(Object.keys(aspect).sort()).toEqual(['aspectId', 'aspectName', 'openUntil', 'shortfall', 'status', 'target']);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('applies the pages\' access rules: signed out goes to sign-in, an engineer only gets their own team', async () => {
    const signedOut = await get('/export/organisation.csv?team=pay', null);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get('location')).toBe(`/sign-in?returnTo=${encodeURIComponent('/export/organisation.csv?team=pay')}`);

    const organisation = await get('/export/organisation.csv', 'engineer');
    expect(organisation.status).toBe(403);
    expect(organisation.headers.get('content-type')).toMatch(/^text\/html/);
    expect(organisation.headers.get('content-disposition')).toBeNull();
    expect((await get('/export/organisation.json', 'engineer')).status).toBe(403);

    const own = await get(`/export/teams/${await teamIdOf('Payments')}.json`, 'engineer');
    expect(own.status).toBe(200);
    const team = TeamExportSchema.parse(JSON.parse(own.text));
    expect(team.team.name).toBe('Payments');
    expect(own.text).not.toContain('comments');
    expect((await get(`/export/teams/${await teamIdOf('Checkout')}.csv`, 'engineer')).status).toBe(403);
    expect((await get('/export/teams/999999.csv', 'pm')).status).toBe(404);
    expect((await get('/export/teams/abc.csv', 'pm')).status).toBe(404);
    expect((await get(`/export/teams/${await teamIdOf('Payments')}.xlsx`, 'pm')).status).toBe(404);
  });

  it('exports one aspect across teams for PMs as CSV and JSON', async () => {
    const payments = await harness.ctx.store.findTeamById(await teamIdOf('Payments'));
    const survey = harness.ctx.surveys.get(payments!.surveyId)!.survey;
    const aspectId = survey.aspects[0]!.id;
    const json = await get(`/export/aspects/${survey.id}/${aspectId}.json`, 'pm');
    expect(json.status).toBe(200);
    const aspect = AspectExportSchema.parse(JSON.parse(json.text));
    expect(aspect.levels.reduce((sum, level) => sum + level.teams, 0)).toBe(aspect.teamsWithLevel);

    const csv = await get(`/export/aspects/${survey.id}/${aspectId}.csv`, 'pm');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="aspect-${survey.id}-${aspectId}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
    const rows = csvObjects(csv.text, ASPECT_CSV_HEADER);
    expect(rows.filter((row) => row.section === 'level').map((row) => Number(row.teams))).toEqual(aspect.levels.map((level) => level.teams));
    expect(rows.find((row) => row.section === 'hidden-teams')?.teams).toBe(String(aspect.hiddenTeams));

    expect((await get(`/export/aspects/${survey.id}/${aspectId}.csv`, 'engineer')).status).toBe(403);
    expect((await get(`/export/aspects/${survey.id}/no-such-aspect.csv`, 'pm')).status).toBe(404);
  });
});
