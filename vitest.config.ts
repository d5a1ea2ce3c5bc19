import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs everything twice where storage is involved: once on SQLite (every test) and once on
 * PostgreSQL (every test that touches storage). TEST_DATABASE=sqlite or TEST_DATABASE=postgres runs one.
 */
const wanted = (process.env.TEST_DATABASE ?? 'sqlite,postgres').toLowerCase();
const onSqlite = wanted.includes('sqlite');
const onPostgres = wanted.includes('postgres');

// Tests that never open storage (pure core, renderers, stand-ins, config): run once, on the SQLite project.
const ENGINE_FREE = [
  'test/core/**',
  'test/architecture.test.ts',
  'test/logging.test.ts',
  'test/slack-stand-in.test.ts',
  'test/teams-stand-ins.test.ts',
  'test/survey-files.test.ts',
  'test/slack/render.test.ts',
  'test/slack/manifest.test.ts',
  'test/teams/cards.test.ts',
  'test/privacy-views.property.test.ts',
  'test/web/oidc.test.ts',
  'test/web/trend-chart.test.ts',
  // The dashboard's target and step pages in a browser: their storage side runs on both engines in
  // test/storage/targets-and-steps.test.ts and test/services/targets-and-steps.test.ts, and the chat side in
  // test/slack/next-steps.test.ts and test/teams/next-steps.test.ts.
  'test/web/targets-and-steps.test.ts',
  'test/teams/step-cards.test.ts',
  // The dashboard in a browser (keyboard, CSP, axe, screenshots, the OpenID redirects): the pages and downloads
  // it visits are fetched on both engines by every kind of visitor in test/web/authorization-matrix.test.ts, the
  // filtered and sorted organisation in test/web/exports.test.ts, the erase form and sign-in in
  // test/web/web-security.test.ts; what the pages read and write (who sees what, comments, the digest archive,
  // my answers, who may sign in) in test/services/dashboard-service.test.ts, web-sign-in-service.test.ts,
  // test/slack/grid-dashboard.test.ts and test/teams/dashboard-membership.test.ts.
  'test/web/dashboard-browser.test.ts',
  // How the Teams messenger meets a refusing Bot Connector (5xx retried, 403 pauses, 404 on an update given up,
  // per-member nudge retries): the outbox rows it writes are compared across engines in
  // test/storage/postgres-store.test.ts, and a retried, a refused and a paced send run on both engines in
  // test/slack/requests.test.ts and test/slack/nudges.test.ts.
  'test/teams/delivery-failures.test.ts',
  // The digest and the halfway reminder as Slack shows them (blocks, CSV and chart in the thread, the week of the
  // subscription's zone): queuing them runs on both engines in test/services/reminders-and-digests.test.ts, the
  // digest worker's reads in test/services/digest-worker.test.ts.
  'test/slack/digest-and-reminders.test.ts',
  'test/core/org-table.test.ts',
  // The owner picker's listing of a channel's people against the Slack and Bot Connector stand-ins (storage holds
  // only the Teams conversation reference there, written and read on both engines in test/teams/*.test.ts).
  'test/slack/channel-people.test.ts',
  'test/teams/channel-people.test.ts',
  // Behaviour of the HTTP layer and the Slack connection, whatever the storage behind them.
  'test/process/body-limit.test.ts',
  'test/slack/start-up-token-check.test.ts',
  'test/slack/socket-metrics.test.ts',
  // The demo always runs on its own SQLite file, whatever DATABASE_URL says.
  'test/services/server.test.ts',
  'test/teams/teams-package.test.ts',
  // The CLI's own behaviour; its PostgreSQL side is in test/cli/postgres-cli.test.ts and migrate-to-postgres.test.ts.
  'test/cli/cli.test.ts',
  'test/cli/run-from-anywhere.test.ts',
  'test/cli/survey-list-limits.test.ts',
  'test/storage/schema-parity.test.ts',
  'test/storage/postgres-server.test.ts',
  'test/storage/postgres-store.test.ts',
  'test/cli/postgres-cli.test.ts',
  'test/cli/migrate-to-postgres.test.ts',
];

// Tests of the PostgreSQL engine itself: only in the PostgreSQL project.
const POSTGRES_ONLY = ['test/storage/postgres-server.test.ts', 'test/storage/postgres-store.test.ts', 'test/cli/postgres-cli.test.ts', 'test/cli/migrate-to-postgres.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Process and lease tests start real servers; keep workers modest on 2-core CI machines.
    maxWorkers: 4,
    projects: [
      ...(onSqlite
        ? [
            {
              extends: true as const,
              test: {
                name: 'sqlite',
                include: ['test/**/*.test.ts'],
                // The PostgreSQL-only storage tests start their own server through the setup below.
                exclude: POSTGRES_ONLY,
                globalSetup: ['test/support/global-setup.ts'],
                env: { TEST_ENGINE: 'sqlite' },
              },
            },
          ]
        : []),
      ...(onPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['test/**/*.test.ts'],
                exclude: ENGINE_FREE.filter((pattern) => !POSTGRES_ONLY.includes(pattern)),
                // The build runs in one project only: two tsc runs on the same output would trip over each other.
                globalSetup: onSqlite ? ['test/support/postgres-global-setup.ts'] : ['test/support/global-setup.ts', 'test/support/postgres-global-setup.ts'],
                env: { TEST_ENGINE: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
