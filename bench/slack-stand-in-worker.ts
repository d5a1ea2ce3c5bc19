/**
 * Hosts the Slack Web API stand-in on its own thread for the click benchmark. Every click makes the real
 * app POST a receipt to a response_url after the ack; served on the app's thread, the stand-in's share of
 * that work (HTTP parsing, JSON, bookkeeping) would be charged to the app. Here it costs the app nothing
 * it would not also pay against slack.com.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SlackApiStandIn } from '../test/support/slack-stand-in.js';

export interface StandInWorkerData {
  readonly teamId: string;
  readonly botToken: string;
  readonly channelId: string;
}

export type StandInRequest =
  | { readonly kind: 'response-urls'; readonly channelId: string; readonly userIds: readonly string[] }
  | { readonly kind: 'summary'; readonly receiptText: string }
  | { readonly kind: 'stop' };

export interface StandInSummary {
  /** POSTs to response URLs so far, refused ones included. */
  readonly responses: number;
  /** Those the stand-in answered with HTTP 200. */
  readonly accepted: number;
  /** Accepted ones whose text contains the receipt text asked about. */
  readonly receipts: number;
  /** Web API calls by method. */
  readonly calls: Readonly<Record<string, number>>;
}

export type StandInReply =
  | { readonly kind: 'ready'; readonly apiUrl: string }
  | { readonly kind: 'response-urls'; readonly urls: readonly string[] }
  | { readonly kind: 'summary'; readonly summary: StandInSummary }
  | { readonly kind: 'stopped' };

function textOf(body: unknown): string {
  return typeof body === 'object' && body !== null && 'text' in body && typeof body.text === 'string' ? body.text : '';
}

const port = parentPort;
if (!port) throw new Error('slack-stand-in-worker runs as a worker thread');
// The parent built this object from StandInWorkerData; workerData is typed any by Node, so name its shape once.
const data = workerData as StandInWorkerData;

const slack = new SlackApiStandIn({ teamId: data.teamId, botToken: data.botToken });
await slack.start();
slack.addChannel({ id: data.channelId, name: 'bench', members: [] });

function reply(message: StandInReply): void {
  port?.postMessage(message);
}

port.on('message', (request: StandInRequest) => {
  switch (request.kind) {
    case 'response-urls':
      // One URL per click: Slack allows five uses of each, and the real app uses one per click.
      reply({ kind: 'response-urls', urls: request.userIds.map((userId) => slack.createResponseUrl({ channelId: request.channelId, userId })) });
      return;
    case 'summary': {
      const calls: Record<string, number> = {};
      for (const call of slack.calls) calls[call.method] = (calls[call.method] ?? 0) + 1;
      const accepted = slack.responses.filter((response) => response.status === 200);
      reply({
        kind: 'summary',
        summary: { responses: slack.responses.length, accepted: accepted.length, receipts: accepted.filter((response) => textOf(response.body).includes(request.receiptText)).length, calls },
      });
      return;
    }
    case 'stop':
      slack.stop().then(
        () => {
          reply({ kind: 'stopped' });
          port.close();
        },
        (error: unknown) => {
          throw error;
        },
      );
      return;
  }
});

reply({ kind: 'ready', apiUrl: slack.apiUrl });
