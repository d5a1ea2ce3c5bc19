import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../src/adapters/slack/app.js';
import { buildSurvey } from '../support/factories.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const BOT_TOKEN = 'xoxb-organisation-lookup-test-token';

describe("a workspace's Enterprise Grid organisation, asked of Slack (for dashboard sign-in)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function adapterOn(standIn: SlackApiStandIn): Promise<{ ctx: TestContext; adapter: ReturnType<typeof createSlackAdapter> }> {
    await standIn.start();
    const ctx = await createTestContext({ surveys: [buildSurvey({ id: 'platform' })] });
    cleanups.push(() => standIn.stop(), () => ctx.close());
    const adapter = createSlackAdapter({ ctx, config: { botToken: BOT_TOKEN, signingSecret: 's'.repeat(32), appToken: null, apiUrl: standIn.apiUrl, adminUserIds: [] }, log: ctx.log, onAnswerRecorded: () => undefined });
    cleanups.push(() => adapter.stop());
    return { ctx, adapter };
  }

  it('names the organisation of a Grid workspace, and none for a plain one or one Slack does not show', async () => {
    const grid = await adapterOn(new SlackApiStandIn({ teamId: 'T0GRID', enterpriseId: 'E0ORG', botToken: BOT_TOKEN }));
    expect(await grid.adapter.organisationOf('T0GRID')).toBe('E0ORG');
    expect(await grid.adapter.organisationOf('T0ELSEWHERE')).toBeNull();
    const plain = await adapterOn(new SlackApiStandIn({ teamId: 'T0PLAIN', botToken: BOT_TOKEN }));
    expect(await plain.adapter.organisationOf('T0PLAIN')).toBeNull();
  });
});
