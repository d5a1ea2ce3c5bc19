import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/app.js';
import { TeamExportSchema } from '../../src/adapters/web/api/schemas.js';
import { createWebApp, webRequestListener } from '../../src/adapters/web/app.js';
import { STEPS_CSV_HEADER, TEAM_CSV_HEADER } from '../../src/adapters/web/routes/exports.js';
import { SessionSealer } from '../../src/adapters/web/session.js';
import type { Messenger } from '../../src/core/messenger.js';
import type { Platform } from '../../src/core/platform.js';
import type { Team } from '../../src/core/team.js';
import { DEMO_WORKSPACE } from '../../src/demo/demo-organisation.js';
import { DEMO_PEOPLE, demoChannelPeople, demoChannelsOf } from '../../src/demo/demo-people.js';
import { OutboxDrainer } from '../../src/scheduler/outbox-drainer.js';
import { adoptStep, answerCheckIn, answerOwnerRequest } from '../../src/services/step-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { launchBrowser, screenshotPath, seriousAccessibilityViolations, signInInBrowser } from '../support/browser.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { signInAs, startWebHarness, WEB_NOW, WEB_SESSION_SECRET, type WebHarness } from '../support/web-harness.js';

// Targets and next steps on the dashboard, through real HTTP over loopback and Debian's chromium, on this
// project's storage engine with the demo organisation. The clock stands still at WEB_NOW.

const DAY = 24 * 60 * 60 * 1000;
const DOC_ID = 'https://maturity-pulse.test/openapi.json';
const ADMIN = { platform: 'demo', workspaceId: DEMO_WORKSPACE, userId: 'demo-admin' } as const;
const ADMIN_VIEWER = { grants: [{ role: 'admin' as const, teamId: null }], memberOfTeamId: null };

interface ApiAspect {
  readonly aspectId: string;
  readonly aspectName: string;
  readonly status: string;
  readonly value?: number;
  readonly toGo?: number;
  readonly target: { readonly level: number; readonly name: string; readonly source: string };
  readonly suggestions?: readonly { readonly id: string; readonly text: string }[];
}

interface ApiStep {
  readonly id: number;
  readonly teamName: string;
  readonly aspectId: string;
  readonly suggestionId: string | null;
  readonly text: string;
  readonly status: string;
  readonly dueAt: string;
  readonly owner: string | null;
}

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, { content: { 'application/json': { schema: Record<string, unknown> } } }> }>>;
}

// The owner picker's Slack side: a team whose channel is on the Slack Web API stand-in, its people by name.
const SLACK_WORKSPACE = 'T0001';
const SLACK_CHANNEL = 'C0OWNERS';
const ULLA = 'U0ULLA';
const BERT = 'U0BERT';
const HELPER_BOT = 'U0HELPER';
const GONE = 'U0GONE';

/** RFC 4180 as the dashboard writes it (CRLF records, doubled quotes), into objects keyed by the header. */
function csvObjects(text: string, header: readonly string[] = TEAM_CSV_HEADER): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += char;
  }
  const [first, ...rows] = records;
  expect(first).toEqual(header);
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])));
}

describe('targets and next steps on the dashboard', () => {
  let harness: WebHarness;
  let browser: Browser;
  const cookies: Record<string, string> = {};
  let payments: Team;
  let checkout: Team;
  /** Payments' aspects as the API shows them before any test changes a target. */
  let aspects: ApiAspect[];
  /** An aspect below target with suggestions: the lead's. */
  let leadAspect: ApiAspect;
  /** Another aspect with a level, whose target comes from neither the team nor the organisation: the PM's. */
  let pmAspect: ApiAspect;
  /** A suggestion of the lead's aspect that is not on the board yet (the demo organisation has steps of its own). */
  let suggestion: { id: string; text: string };
  /** The step the lead adopts and marks done. */
  let leadStepId: number;
  let topLevel: { value: number; name: string };
  let ajv: Ajv2020;
  let doc: OpenApiDocument;
  /** The Slack Web API stand-in, the Slack adapter on it, and a team whose channel lives there. */
  let slack: SlackApiStandIn;
  let slackAdapter: SlackAdapter;
  let slackTeam: Team;
  /**
   * The same dashboard on the same store, wired as main.ts wires it to the platforms' people: the demo's and
   * Slack's (through the Slack adapter). The harness's own app lists nobody (no platform to ask).
   */
  let peopleServer: Server;
  let peopleUrl: string;

  const date = (at: Date | number, zone: string) => DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone }).toFormat('d LLL yyyy');

  async function get(path: string, who: string | null, base = harness.baseUrl): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await fetch(`${base}${path}`, { headers: who ? { cookie: cookies[who]! } : {}, redirect: 'manual' });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  async function json<T>(path: string, who: string): Promise<T> {
    const answer = await get(path, who);
    expect(answer.status, path).toBe(200);
    return JSON.parse(answer.text) as T;
  }

  /** A form posted as the person's browser would: their session, their page's CSRF token, this site's origin. */
  async function post(path: string, who: string, fields: Record<string, string>, base = harness.baseUrl): Promise<{ status: number; html: string; location: string | null }> {
    const form = await get('/teams', who, base);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    if (!csrf) throw new Error('no CSRF token on the page');
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies[who]!, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  async function as(name: string, options: { bypassCSP?: boolean; base?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const { base = harness.baseUrl, ...contextOptions } = options;
    const context = await browser.newContext({ acceptDownloads: true, ...contextOptions });
    return { context, page: await signInInBrowser(context, base, name) };
  }

  /** Sends what the outbox holds for Slack through the Slack adapter's messenger, to the stand-in. */
  async function sendSlackOutbox(): Promise<void> {
    await new OutboxDrainer(harness.ctx, new Map<Platform, Messenger>([['slack', slackAdapter.messenger]])).drain();
  }

  /** The dashboard wired to the platforms' people, on its own loopback port over the harness's store and sessions. */
  async function startPeopleServer(): Promise<void> {
    let listener: ReturnType<typeof webRequestListener> | null = null;
    peopleServer = createServer((request, response) => listener?.(request, response));
    await new Promise<void>((resolve) => peopleServer.listen(0, '127.0.0.1', resolve));
    peopleUrl = `http://127.0.0.1:${(peopleServer.address() as AddressInfo).port}`;
    listener = webRequestListener(
      createWebApp({
        ctx: harness.ctx,
        log: harness.ctx.log,
        publicUrl: peopleUrl,
        allowedOrigins: [peopleUrl],
        sealer: new SessionSealer([WEB_SESSION_SECRET], 8),
        configuredAdmins: [],
        channelsOf: (person) => Promise.resolve(demoChannelsOf(person)),
        channelPeople: async (channel) => (channel.platform === 'demo' ? demoChannelPeople(channel) : channel.platform === 'slack' ? await slackAdapter.channelPeople(channel) : null),
        oidc: null,
        demoPeople: DEMO_PEOPLE,
      }),
    );
  }

  function expectMatchesDocument(template: string, body: unknown): void {
    const schema = doc.paths[template]?.get?.responses['200']?.content['application/json'].schema;
    expect(schema, template).toBeDefined();
    const validate = ajv.compile({ $ref: `${DOC_ID}${String(schema!.$ref)}` });
    const valid = validate(body);
    expect(validate.errors ?? [], template).toEqual([]);
    expect(valid).toBe(true);
  }

  const aspectCard = (page: Page, aspectId: string) => page.locator(`article[aria-labelledby="aspect-${aspectId}"]`);

  beforeAll(async () => {
    slack = new SlackApiStandIn({ teamId: SLACK_WORKSPACE });
    [harness, browser] = await Promise.all([startWebHarness(), launchBrowser(), slack.start()]);
    for (const key of ['pm', 'lead', 'engineer', 'admin']) cookies[key] = await signInAs(harness, key);
    // A channel of two people, a second bot and a deactivated account (the app's own bot user is a member too).
    slack.addUser({ id: ULLA, name: 'Ulla', realName: 'Ulla Ulrich' });
    slack.addUser({ id: BERT, name: 'Bert', realName: 'Bert Brandt' });
    slack.addUser({ id: HELPER_BOT, name: 'helper-bot', isBot: true });
    slack.addUser({ id: GONE, name: 'Gone', deleted: true });
    slack.addChannel({ id: SLACK_CHANNEL, name: 'owners', members: [ULLA, HELPER_BOT, GONE, BERT] });
    slackAdapter = createSlackAdapter({ ctx: harness.ctx, config: { botToken: 'xoxb-test-token', signingSecret: 'unused-in-these-tests', appToken: null, apiUrl: slack.apiUrl, adminUserIds: [] }, log: harness.ctx.log, onAnswerRecorded: () => undefined });
    await startPeopleServer();
    const teams = await harness.ctx.store.listTeams();
    payments = teams.find((team) => team.name === 'Payments')!;
    const created = await setupTeam(harness.ctx, ADMIN, {
      name: 'Slack Owners',
      channel: { platform: 'slack', workspaceId: SLACK_WORKSPACE, channelId: SLACK_CHANNEL },
      surveyId: payments.surveyId,
      cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 },
    });
    if (created.kind !== 'created') throw new Error(created.kind);
    slackTeam = created.team;
    // Another team on Payments' survey, for the steps list.
    checkout = teams.find((team) => team.name !== 'Payments' && team.surveyId === payments.surveyId)!;
    expect(checkout).toBeDefined();
    const survey = harness.ctx.surveys.get(payments.surveyId)!.survey;
    topLevel = { value: survey.levels.length, name: survey.levels[survey.levels.length - 1]!.name };
    const detail = await json<{ aspects: ApiAspect[]; steps: ApiStep[] }>(`/api/v1/teams/${payments.id}`, 'lead');
    aspects = detail.aspects;
    const onBoard = new Set(detail.steps.filter((step) => step.status === 'open').map((step) => step.suggestionId));
    const fresh = (aspect: ApiAspect) => (aspect.suggestions ?? []).filter((candidate) => !onBoard.has(candidate.id));
    leadAspect = aspects.find((aspect) => aspect.status === 'level' && fresh(aspect).length > 0)!;
    expect(leadAspect).toBeDefined();
    suggestion = fresh(leadAspect)[0]!;
    pmAspect = aspects.find((aspect) => aspect !== leadAspect && aspect.status === 'level' && (aspect.target.source === 'next' || aspect.target.source === 'survey') && aspect.target.level < topLevel.value)!;
    expect(pmAspect).toBeDefined();

    const document = await get('/api/v1/openapi.json', null);
    doc = JSON.parse(document.text) as OpenApiDocument;
    ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
    ajv.addVocabulary(['openapi', 'info', 'security', 'paths', 'components']);
    ajv.addSchema({ ...doc, $id: DOC_ID });
  });
  afterAll(async () => {
    await browser?.close();
    peopleServer?.closeAllConnections();
    await new Promise<void>((resolve) => (peopleServer ? peopleServer.close(() => resolve()) : resolve()));
    await slackAdapter?.stop();
    await slack?.stop();
    await harness?.close();
  });

  it('lets a lead set a team target, adopt a suggestion (due in six weeks) and mark it done on the team page', async () => {
    const { context, page } = await as('Lars');
    const zone = payments.cadence.timeZone;
    await page.goto(`${harness.baseUrl}/teams/${payments.id}`);
    const card = aspectCard(page, leadAspect.aspectId);

    await card.getByText("Change the team's target").click();
    await card.getByLabel(`Target for ${leadAspect.aspectName}`).selectOption(String(topLevel.value));
    await card.getByLabel('Why (optional, one line)').fill('Teams ask for self-service');
    await card.getByRole('button', { name: 'Save target' }).click();
    await page.waitForURL(/notice=target-set/);
    expect(await page.getByRole('status').textContent()).toBe(`The team's target for ${leadAspect.aspectName} is saved.`);
    const toGo = (topLevel.value - leadAspect.value!).toFixed(1);
    expect(await aspectCard(page, leadAspect.aspectId).locator('p.target').textContent()).toBe(`target ${topLevel.name} (${topLevel.value}): ${toGo} to go · the team's own target: Teams ask for self-service`);
    const teamTarget = (await harness.ctx.store.listTargets({ teamId: payments.id })).find((target) => target.aspectId === leadAspect.aspectId);
    expect([teamTarget?.level, teamTarget?.reason, teamTarget?.setAt.getTime()]).toEqual([topLevel.value, 'Teams ask for self-service', WEB_NOW.getTime()]);

    const earlier = new Set((await harness.ctx.store.listSteps({ teamId: payments.id })).map((step) => step.id));
    const item = aspectCard(page, leadAspect.aspectId).locator('ul.suggestions li', { hasText: suggestion.text });
    const due = WEB_NOW.getTime() + 42 * DAY;
    expect(await item.getByLabel('Target date').inputValue()).toBe(DateTime.fromMillis(due, { zone }).toISODate());
    await item.getByRole('button', { name: "We'll do this" }).click();
    await page.waitForURL(/notice=step-adopted/);
    expect(await page.getByRole('status').textContent()).toBe(`Step adopted for ${leadAspect.aspectName}; the team hears of it in its channel.`);
    const stored = (await harness.ctx.store.listSteps({ teamId: payments.id })).filter((step) => !earlier.has(step.id));
    expect(stored.map((step) => [step.suggestionId, step.status, step.adoptedAt.getTime(), step.dueAt.getTime()])).toEqual([[suggestion.id, 'open', WEB_NOW.getTime(), due]]);
    leadStepId = stored[0]!.id;
    const level = leadAspect.value!.toFixed(1);
    const open = page.locator('table.steps-open tbody tr', { hasText: suggestion.text });
    expect(await open.count()).toBe(1);
    expect((await open.locator('td').allTextContents()).slice(0, 5)).toEqual([leadAspect.aspectName, suggestion.text, date(WEB_NOW, zone), date(due, zone), `${level} → ${level}`]);
    // Adopted suggestions are not offered again.
    expect(await aspectCard(page, leadAspect.aspectId).locator('ul.suggestions li', { hasText: suggestion.text }).getByRole('button').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('team-steps-as-lead'), fullPage: true });

    await open.getByRole('button', { name: 'Done' }).click();
    await page.waitForURL(/notice=step-done/);
    expect(await page.getByRole('status').textContent()).toBe('Step marked done.');
    expect(await page.locator('table.steps-open tbody tr', { hasText: suggestion.text }).count()).toBe(0);
    expect(await page.locator('table.steps-done tbody tr', { hasText: suggestion.text }).locator('td').allTextContents()).toEqual([leadAspect.aspectName, suggestion.text, date(WEB_NOW, zone), date(WEB_NOW, zone), `${level} → ${level}`]);
    const done = await harness.ctx.store.findStep(leadStepId);
    expect([done?.status, done?.closedAt?.getTime()]).toEqual(['done', WEB_NOW.getTime()]);
    await context.close();

    // The page with its forms passes axe (in a context that lets axe's script run).
    const checked = await as('Lars', { bypassCSP: true });
    await checked.page.goto(`${harness.baseUrl}/teams/${payments.id}`);
    expect(await seriousAccessibilityViolations(checked.page)).toEqual([]);
    await checked.context.close();
  });

  it('shows a member the board without any form, and refuses what a member posts (403)', async () => {
    const step = await adoptStep(harness.ctx, ADMIN, ADMIN_VIEWER, payments, { aspectId: pmAspect.aspectId, text: 'Write down how a new service gets a database' });
    expect(step.kind).toBe('adopted');
    const stepId = step.kind === 'adopted' ? step.step.id : 0;
    const before = { steps: await harness.ctx.store.listSteps(), targets: await harness.ctx.store.listTargets() };

    const { context, page } = await as('Emma');
    await page.goto(`${harness.baseUrl}/teams/${payments.id}`);
    await page.getByRole('heading', { name: 'Next steps' }).waitFor();
    expect(await page.locator('table.steps-open tbody tr', { hasText: 'Write down how a new service gets a database' }).count()).toBe(1);
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.getByRole('button', { name: "We'll do this" }).count()).toBe(0);
    expect(await page.getByText("Change the team's target").count()).toBe(0);
    expect(await page.getByText('Add our own step').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('team-steps-as-member'), fullPage: true });
    await context.close();

    const adopt = await post(`/teams/${payments.id}/steps`, 'engineer', { aspect: leadAspect.aspectId, suggestion: suggestion.id, due: '' });
    expect(adopt.status).toBe(403);
    expect(adopt.html).toContain('Only the team&#39;s leads and admins may adopt a team&#39;s next steps.');
    const own = await post(`/teams/${payments.id}/steps`, 'engineer', { aspect: leadAspect.aspectId, text: 'Sneak this in', due: '' });
    expect(own.status).toBe(403);
    const target = await post(`/teams/${payments.id}/targets`, 'engineer', { aspect: leadAspect.aspectId, level: '1', reason: '' });
    expect(target.status).toBe(403);
    const close = await post(`/teams/${payments.id}/steps/${stepId}`, 'engineer', { answer: 'dropped' });
    expect(close.status).toBe(403);
    // A lead sets their own team's targets, not the organisation's.
    const organisation = await post('/targets/organisation', 'lead', { survey: payments.surveyId, aspect: pmAspect.aspectId, level: '1' });
    expect(organisation.status).toBe(403);
    expect(organisation.html).toContain('Only PMs and admins may set the organisation&#39;s targets.');
    // Signed out: the page sends to sign-in, the API answers 401, and a form changes nothing.
    const signedOut = await get('/steps?status=open', null);
    expect([signedOut.status, signedOut.headers.get('location')]).toEqual([302, `/sign-in?returnTo=${encodeURIComponent('/steps?status=open')}`]);
    expect((await get('/api/v1/steps', null)).status).toBe(401);
    const anonymous = await fetch(`${harness.baseUrl}/teams/${payments.id}/steps/${stepId}`, { method: 'POST', redirect: 'manual', headers: { origin: harness.baseUrl, 'content-type': 'application/x-www-form-urlencoded' }, body: 'answer=dropped' });
    expect(anonymous.status).toBe(302);
    expect({ steps: await harness.ctx.store.listSteps(), targets: await harness.ctx.store.listTargets() }).toEqual(before);
  });

  it('tells a lead what is wrong with a form, and stores nothing', async () => {
    const before = { steps: await harness.ctx.store.listSteps(), targets: await harness.ctx.store.listTargets() };
    const cases: [string, Record<string, string>, string][] = [
      [`/teams/${payments.id}/steps`, { aspect: leadAspect.aspectId, text: '   ', due: '' }, 'Say what the team will do, in one line.'],
      [`/teams/${payments.id}/steps`, { aspect: leadAspect.aspectId, text: 'Pair on the template', due: '2026-01-05' }, 'The target date must be in the future.'],
      [`/teams/${payments.id}/steps`, { aspect: leadAspect.aspectId, text: 'Pair on the template', due: '2027-02-30' }, '&quot;2027-02-30&quot; is not a date'],
      [`/teams/${payments.id}/steps`, { aspect: leadAspect.aspectId, text: 'x'.repeat(201), due: '' }, 'at most 200 characters'],
      [`/teams/${payments.id}/steps`, { aspect: 'no-such-aspect', text: 'Pair on the template', due: '' }, 'has no aspect &quot;no-such-aspect&quot;'],
      [`/teams/${payments.id}/targets`, { aspect: leadAspect.aspectId, level: 'eleven', reason: '' }, '&quot;eleven&quot; is not a level of'],
      [`/teams/${payments.id}/steps/${before.steps[0]!.id}`, { answer: 'maybe' }, 'Mark the step done, still on it or dropped.'],
    ];
    for (const [path, fields, message] of cases) {
      const answer = await post(path, 'lead', fields);
      expect(answer.status, `${path} ${JSON.stringify(fields)}`).toBe(400);
      expect(answer.html).toMatch(/role="alert"/);
      expect(answer.html).toContain(message);
    }
    expect({ steps: await harness.ctx.store.listSteps(), targets: await harness.ctx.store.listTargets() }).toEqual(before);
  });

  it("lets a PM set an organisation target on the steps page, which moves the team page's \"to go\"", async () => {
    const { context, page } = await as('Priya');
    await page.getByRole('link', { name: 'Next steps' }).click();
    await page.getByRole('heading', { name: 'Organisation targets' }).waitFor();
    const survey = harness.ctx.surveys.get(payments.surveyId)!.survey;
    const table = page.locator('table.org-targets', { has: page.locator('caption', { hasText: survey.title }) });
    const row = table.locator('tbody tr', { has: page.getByRole('rowheader', { name: pmAspect.aspectName, exact: true }) });
    await row.getByLabel(`Organisation target for ${pmAspect.aspectName}`).selectOption(String(topLevel.value));
    await page.screenshot({ path: screenshotPath('steps-as-pm'), fullPage: true });
    await row.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/notice=org-target-set/);
    expect(await page.getByRole('status').textContent()).toBe(`The organisation's target for ${pmAspect.aspectName} is saved.`);
    const organisationTarget = (await harness.ctx.store.listTargets({ teamId: null })).find((target) => target.surveyId === payments.surveyId && target.aspectId === pmAspect.aspectId);
    expect([organisationTarget?.level, organisationTarget?.setAt.getTime()]).toEqual([topLevel.value, WEB_NOW.getTime()]);

    await page.goto(`${harness.baseUrl}/teams/${payments.id}`);
    const toGo = (topLevel.value - pmAspect.value!).toFixed(1);
    expect(toGo).not.toBe(pmAspect.toGo!.toFixed(1));
    expect(await aspectCard(page, pmAspect.aspectId).locator('p.target').textContent()).toBe(`target ${topLevel.name} (${topLevel.value}): ${toGo} to go · the organisation's target`);
    const after = (await json<{ aspects: ApiAspect[] }>(`/api/v1/teams/${payments.id}`, 'lead')).aspects;
    expect(after.find((aspect) => aspect.aspectId === pmAspect.aspectId)?.target).toMatchObject({ level: topLevel.value, source: 'organisation' });
    expect(after.find((aspect) => aspect.aspectId === pmAspect.aspectId)?.toGo).toBe(Number(toGo));

    const checked = await as('Priya', { bypassCSP: true });
    await checked.page.goto(`${harness.baseUrl}/steps`);
    expect(await seriousAccessibilityViolations(checked.page)).toEqual([]);
    await checked.context.close();
    await context.close();
  });

  it('lists steps across teams with filters, on the page and in the API', async () => {
    const adopt = async (team: Team, aspectId: string, text: string) => {
      const result = await adoptStep(harness.ctx, ADMIN, ADMIN_VIEWER, team, { aspectId, text });
      if (result.kind !== 'adopted') throw new Error(result.kind);
      return result.step;
    };
    await adopt(checkout, leadAspect.aspectId, 'Checkout: a template for queues');
    const dropped = await adopt(checkout, pmAspect.aspectId, 'Checkout: measure lead time');
    expect((await answerCheckIn(harness.ctx, ADMIN, ADMIN_VIEWER, dropped.id, 'dropped')).kind).toBe('checked-in');

    // What each filter must give, read from the store directly: every team's steps, oldest adoption first.
    const teamNames = new Map((await harness.ctx.store.listTeams()).map((team) => [team.id, team.name]));
    const stored = await harness.ctx.store.listSteps();
    const expected = (keep: (step: (typeof stored)[number]) => boolean) => stored.filter(keep).map((step) => step.text);
    const openLeadAspect = expected((step) => step.status === 'open' && step.aspectId === leadAspect.aspectId);
    expect(openLeadAspect).toContain('Checkout: a template for queues');
    expect(openLeadAspect).not.toContain(suggestion.text);

    const { context, page } = await as('Priya');
    await page.goto(`${harness.baseUrl}/steps`);
    const filters = page.locator('form.filters');
    await filters.getByLabel('Status').selectOption('open');
    await filters.getByLabel('Aspect').selectOption(leadAspect.aspectId);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=open/);
    expect(new URL(page.url()).searchParams.get('aspect')).toBe(leadAspect.aspectId);
    const cells = (await page.locator('table.steps tbody tr').all()).map((row) => row.locator('td').allTextContents());
    expect((await Promise.all(cells)).map((row) => row.slice(0, 4))).toEqual(
      stored.filter((step) => step.status === 'open' && step.aspectId === leadAspect.aspectId).map((step) => [teamNames.get(step.teamId), harness.ctx.surveys.get(step.surveyId)!.survey.aspects.find((aspect) => aspect.id === step.aspectId)!.name, step.text, 'Open']),
    );
    await context.close();

    const list = async (query: string, who = 'pm') => {
      const body = await json<{ query: Record<string, unknown>; steps: ApiStep[] }>(`/api/v1/steps${query}`, who);
      expectMatchesDocument('/api/v1/steps', body);
      return body;
    };
    const openLead = await list(`?status=open&aspect=${leadAspect.aspectId}`);
    expect(openLead.query).toEqual({ status: 'open', aspect: leadAspect.aspectId });
    expect(openLead.steps.map((step) => step.text)).toEqual(openLeadAspect);
    const checkoutDropped = expected((step) => step.teamId === checkout.id && step.status === 'dropped');
    expect(checkoutDropped).toContain('Checkout: measure lead time');
    expect((await list(`?team=${checkout.id}&status=dropped`)).steps.map((step) => step.text)).toEqual(checkoutDropped);
    const surveyAspect = await list(`?survey=${payments.surveyId}&aspect=${pmAspect.aspectId}`);
    expect(surveyAspect.steps.map((step) => [step.teamName, step.text, step.status])).toEqual(
      stored.filter((step) => step.surveyId === payments.surveyId && step.aspectId === pmAspect.aspectId).map((step) => [teamNames.get(step.teamId), step.text, step.status]),
    );
    expect(surveyAspect.steps.map((step) => step.text)).toEqual(expect.arrayContaining(['Write down how a new service gets a database', 'Checkout: measure lead time']));
    // An unreadable filter is dropped, not an error.
    const all = await list('?status=someday');
    expect(all.query).toEqual({});
    expect(all.steps.map((step) => step.id)).toEqual(stored.map((step) => step.id));
    // A member sees her own team's steps only.
    const own = (await list('', 'engineer')).steps;
    expect(own.map((step) => step.id)).toEqual(stored.filter((step) => step.teamId === payments.id).map((step) => step.id));
    const html = (await get(`/steps?team=${checkout.id}`, 'engineer')).text;
    expect(html).not.toContain('Checkout: a template for queues');
    expect(html).not.toContain('Organisation targets');
  });

  it('puts targets and steps in the team downloads and the API, naming an owner only once they accepted', async () => {
    const owner = { platform: 'demo' as const, workspaceId: DEMO_WORKSPACE, userId: '#payments-member-3' };
    const adopted = await adoptStep(harness.ctx, ADMIN, ADMIN_VIEWER, payments, { aspectId: leadAspect.aspectId, text: 'Run a golden-path workshop', owner });
    if (adopted.kind !== 'adopted') throw new Error(adopted.kind);
    const ownerOf = async () => {
      const detail = await json<{ steps: ApiStep[] }>(`/api/v1/teams/${payments.id}`, 'lead');
      expectMatchesDocument('/api/v1/teams/{teamId}', detail);
      const exported = TeamExportSchema.parse(JSON.parse((await get(`/export/teams/${payments.id}.json`, 'lead')).text));
      return [detail.steps.find((step) => step.id === adopted.step.id)?.owner, exported.steps.find((step) => step.id === adopted.step.id)?.owner];
    };
    expect(await ownerOf()).toEqual([null, null]);
    expect((await get(`/export/teams/${payments.id}.csv`, 'lead')).text).not.toContain('#payments-member-3');
    expect((await answerOwnerRequest(harness.ctx, owner, adopted.step.id, true)).kind).toBe('owner-answered');
    expect(await ownerOf()).toEqual(['#payments-member-3', '#payments-member-3']);

    const exported = TeamExportSchema.parse(JSON.parse((await get(`/export/teams/${payments.id}.json`, 'lead')).text));
    expect(exported.steps.map((step) => [step.text, step.status])).toEqual((await harness.ctx.store.listSteps({ teamId: payments.id })).map((step) => [step.text, step.status]));
    expect(exported.aspects.find((aspect) => aspect.aspectId === leadAspect.aspectId)?.target).toEqual({ level: topLevel.value, name: topLevel.name, source: 'team', reason: 'Teams ask for self-service' });

    const rows = csvObjects((await get(`/export/teams/${payments.id}.csv`, 'lead')).text);
    const aspectRow = rows.find((row) => row.section === 'aspect' && row.aspect_id === leadAspect.aspectId);
    expect([aspectRow?.target_level, aspectRow?.target_name, aspectRow?.target_source]).toEqual([String(topLevel.value), topLevel.name, 'team']);
    const stepRows = rows.filter((row) => row.section === 'step');
    expect(stepRows.map((row) => [row.step_id, row.step, row.status, row.due_at])).toEqual(exported.steps.map((step) => [String(step.id), step.text, step.status, step.dueAt]));
    expect(stepRows.find((row) => row.step_id === String(adopted.step.id))?.owner).toBe('#payments-member-3');
    expect(stepRows.find((row) => row.step_id === String(leadStepId))?.closed_at).toBe(WEB_NOW.toISOString());
  });

  it('documents the steps endpoint and its filters in the OpenAPI document', () => {
    const steps = doc.paths['/api/v1/steps']?.get;
    expect(steps?.parameters?.map((parameter) => [parameter.name, parameter.in])).toEqual([
      ['team', 'query'],
      ['survey', 'query'],
      ['aspect', 'query'],
      ['status', 'query'],
    ]);
    const schema = steps?.responses['200']?.content['application/json'].schema;
    const validate = ajv.compile({ $ref: `${DOC_ID}${String(schema?.$ref)}` });
    const step = { id: 1, teamId: 1, teamName: 'Payments', surveyId: 's', aspectId: 'a', aspectName: 'A', suggestionId: null, text: 't', status: 'open', adoptedAt: WEB_NOW.toISOString(), dueAt: WEB_NOW.toISOString(), closedAt: null, owner: null, levelAtAdoption: null, levelNow: 2.5 };
    expect(validate({ generatedAt: WEB_NOW.toISOString(), query: {}, steps: [step] })).toBe(true);
    // Closed: a field the schema does not name (a person asked but not yet accepted) does not validate.
    expect(validate({ generatedAt: WEB_NOW.toISOString(), query: {}, steps: [{ ...step, askedOwner: 'U1' }] })).toBe(false);
    expect(validate({ generatedAt: WEB_NOW.toISOString(), query: {}, steps: [{ ...step, status: 'paused' }] })).toBe(false);
  });

  it('offers the people of a Slack channel by name as owner, and asks the one picked privately in Slack', async () => {
    const { context, page } = await as('Ada', { base: peopleUrl });
    await page.goto(`${peopleUrl}/teams/${slackTeam.id}`);
    const aspect = aspects[0]!;
    const card = aspectCard(page, aspect.aspectId);
    await card.getByText('Add our own step').click();
    const owner = card.getByLabel('Owner');
    // Names, not ids, sorted; the second bot, the app's own bot user and the deactivated account are not offered.
    expect(await owner.locator('option').allTextContents()).toEqual(['No owner — the leads follow up', 'Bert', 'Ulla']);
    expect(await Promise.all((await owner.locator('option').all()).map((option) => option.getAttribute('value')))).toEqual(['', BERT, ULLA]);
    await card.getByLabel(`Our step for ${aspect.aspectName} (one line)`).fill('Pair on the deploy pipeline');
    await owner.selectOption({ label: 'Ulla' });
    await card.getByRole('button', { name: 'Add step' }).click();
    await page.waitForURL(/notice=step-adopted-owner/);
    expect(await page.getByRole('status').textContent()).toBe(`Step adopted for ${aspect.aspectName}; the team hears of it in its channel, and the person you picked is asked privately to own it.`);
    const [step] = await harness.ctx.store.listSteps({ teamId: slackTeam.id });
    expect([step?.text, step?.owner, step?.ownerName, step?.ownerStatus]).toEqual(['Pair on the deploy pipeline', { platform: 'slack', workspaceId: SLACK_WORKSPACE, userId: ULLA }, 'Ulla', 'asked']);
    // The board tells the leads someone was asked, not who, until they accept.
    const row = page.locator('table.steps-open tbody tr', { hasText: 'Pair on the deploy pipeline' });
    expect(await row.locator('td').nth(5).locator('p').textContent()).toBe('asked, no answer yet');
    await page.screenshot({ path: screenshotPath('team-steps-owner-picker'), fullPage: true });

    // The outbox sends the private question to Ulla alone (a direct message), and the news to the channel.
    await sendSlackOutbox();
    const question = slack.messages(ULLA);
    expect(question).toHaveLength(1);
    expect(question[0]!.text).toContain('would like you to own a next step of *Slack Owners*');
    expect(question[0]!.text).toContain('Pair on the deploy pipeline');
    expect(slack.messages(BERT)).toEqual([]);
    expect(slack.messages(SLACK_CHANNEL).some((message) => message.text.includes('Pair on the deploy pipeline'))).toBe(true);

    // Asking someone else from the board: Bert is asked, privately, in his turn.
    await row.getByLabel('Ask someone else').selectOption({ label: 'Bert' });
    await row.getByRole('button', { name: 'Ask', exact: true }).click();
    await page.waitForURL(/notice=owner-asked/);
    expect(await page.getByRole('status').textContent()).toBe('The person you picked is asked privately to own the step; the board names them once they accept.');
    const asked = await harness.ctx.store.findStep(step!.id);
    expect([asked?.owner?.userId, asked?.ownerName, asked?.ownerStatus]).toEqual([BERT, 'Bert', 'asked']);
    await sendSlackOutbox();
    expect(slack.messages(BERT)).toHaveLength(1);
    expect(slack.messages(ULLA)).toHaveLength(1);
    await context.close();
  });

  it('refuses an owner who is not among the channel\'s people, or who cannot be checked, and says why; without an owner the step is adopted', async () => {
    const aspect = aspects[1]!;
    const [slackStep] = await harness.ctx.store.listSteps({ teamId: slackTeam.id });
    const before = await harness.ctx.store.listSteps();
    const ownStep = (owner: string) => post(`/teams/${slackTeam.id}/steps`, 'admin', { aspect: aspect.aspectId, text: 'Write the runbook', due: '', owner }, peopleUrl);
    // A forged id, the second bot and the deactivated account: none of them is on the list the page offers.
    for (const forged of ['U0FORGED', HELPER_BOT, GONE]) {
      const answer = await ownStep(forged);
      expect(answer.status, forged).toBe(400);
      expect(answer.html).toMatch(/role="alert"/);
      expect(answer.html).toContain('The person picked as owner is not among the people of the team&#39;s channel');
    }
    const change = await post(`/teams/${slackTeam.id}/steps/${slackStep!.id}/owner`, 'admin', { owner: 'U0FORGED' }, peopleUrl);
    expect(change.status).toBe(400);
    expect(change.html).toContain('is not among the people of the team&#39;s channel');
    // Slack cannot say who is in the channel: no owner can be checked, and the page says so.
    slack.failNext('conversations.members', 'channel_not_found');
    const unchecked = await ownStep(ULLA);
    expect(unchecked.status).toBe(400);
    expect(unchecked.html).toContain('could not be listed just now, so nobody was asked to own the step');
    // A dashboard that cannot ask any platform (the harness's) says the same.
    const nobodyToAsk = await post(`/teams/${payments.id}/steps`, 'lead', { aspect: leadAspect.aspectId, text: 'Pair on the template', due: '', owner: '#payments-member-2' });
    expect(nobodyToAsk.status).toBe(400);
    expect(nobodyToAsk.html).toContain('could not be listed just now');
    // Only leads and admins name owners.
    const member = await post(`/teams/${slackTeam.id}/steps/${slackStep!.id}/owner`, 'engineer', { owner: ULLA }, peopleUrl);
    expect(member.status).toBe(403);
    expect(await harness.ctx.store.listSteps()).toEqual(before);
    expect(slack.callsTo('users.info').filter((call) => call.body.user === 'U0FORGED')).toEqual([]);

    // Without an owner the same form adopts the step.
    const without = await ownStep('');
    expect([without.status, without.location]).toEqual([303, `/teams/${slackTeam.id}?notice=step-adopted&aspect=${aspect.aspectId}#steps`]);
    const added = (await harness.ctx.store.listSteps({ teamId: slackTeam.id })).filter((step) => !before.some((earlier) => earlier.id === step.id));
    expect(added.map((step) => [step.text, step.owner, step.ownerStatus])).toEqual([['Write the runbook', null, null]]);
  });

  it("offers a demo team's people by name in \"We'll do this\", and asks the one picked", async () => {
    const { context, page } = await as('Lars', { base: peopleUrl });
    await page.goto(`${peopleUrl}/teams/${payments.id}`);
    const item = page.locator('ul.suggestions li', { has: page.getByRole('button', { name: "We'll do this" }) }).first();
    const text = (await item.evaluate((element) => element.firstChild?.textContent ?? '')).trim();
    const owner = item.getByLabel('Owner');
    expect(await owner.locator('option').allTextContents()).toEqual(['No owner — the leads follow up', 'Alex', 'Emma', 'Kim', 'Lars', 'Robin']);
    await owner.selectOption({ label: 'Alex' });
    await item.screenshot({ path: screenshotPath('suggestion-owner-picker') });
    await item.getByRole('button', { name: "We'll do this" }).click();
    await page.waitForURL(/notice=step-adopted-owner/);
    const adopted = (await harness.ctx.store.listSteps({ teamId: payments.id, status: 'open' })).filter((step) => step.text === text && step.adoptedAt.getTime() === WEB_NOW.getTime());
    expect(adopted.map((step) => [step.owner?.userId, step.ownerName, step.ownerStatus])).toEqual([['#payments-member-2', 'Alex', 'asked']]);
    await context.close();
  });

  it('downloads the steps page as CSV with its filters: the same steps, for the same people', async () => {
    const query = `?status=open&aspect=${leadAspect.aspectId}`;
    const html = (await get(`/steps${query}`, 'pm')).text;
    const href = /href="(\/export\/steps\.csv[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBeDefined();
    const link = new URL(href!, harness.baseUrl);
    expect(Object.fromEntries(link.searchParams)).toEqual({ status: 'open', aspect: leadAspect.aspectId });
    const csv = await get(`${link.pathname}${link.search}`, 'pm');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="steps-2026-11-30.csv"');
    const rows = csvObjects(csv.text, STEPS_CSV_HEADER);
    const shown = (await json<{ steps: ApiStep[] }>(`/api/v1/steps${query}`, 'pm')).steps;
    expect(shown.length).toBeGreaterThan(0);
    expect(rows.map((row) => [row.step_id, row.team, row.step, row.status, row.due_at])).toEqual(shown.map((step) => [String(step.id), step.teamName, step.text, step.status, step.dueAt]));
    // A closed step's target date is not on the page, so not in the file either.
    const closed = csvObjects((await get('/export/steps.csv?status=done', 'pm')).text, STEPS_CSV_HEADER);
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.every((row) => row.due_at === '' && row.closed_at !== '')).toBe(true);
    // A member gets her own team's steps, whatever the filter names.
    expect(csvObjects((await get(`/export/steps.csv?team=${checkout.id}`, 'engineer')).text, STEPS_CSV_HEADER)).toEqual([]);
    const own = csvObjects((await get('/export/steps.csv', 'engineer')).text, STEPS_CSV_HEADER);
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((row) => row.team))).toEqual(new Set(['Payments']));
    expect((await get('/export/steps.csv', null)).status).toBe(302);
  });
});
