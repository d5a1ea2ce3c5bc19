/**
 * A Slack workspace stand-in on its own thread for the benchmarks that run the real app against many
 * channels (open-2000, click-during-digest). As with the click benchmark's stand-in worker, its HTTP
 * parsing, Block Kit checks and bookkeeping then cost the app's thread nothing it would not also pay
 * against slack.com. Its rate limits (per channel and per workspace) are the stand-in's own, unchanged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SlackApiStandIn } from '../test/support/slack-stand-in.js';

export interface WorkspaceWorkerData {
  readonly teamId: string;
  readonly botToken: string;
  /** Channels the bot is a member of, no human members. */
  readonly channelIds: readonly string[];
  /** The stand-in's workspace-wide chat.postMessage limit; its default when left out. */
  readonly workspacePostsPerMinute?: number;
}

export type WorkspaceRequest =
  | { readonly kind: 'response-urls'; readonly channelId: string; readonly userIds: readonly string[] }
  | { readonly kind: 'summary'; readonly receiptText: string }
  | { readonly kind: 'channels'; readonly channelIds: readonly string[] }
  | { readonly kind: 'stop' };

export interface MethodCalls {
  readonly total: number;
  /** Answered HTTP 429 (rate limited). */
  readonly limited: number;
}

export interface WorkspaceSummary {
  /** POSTs to response URLs so far, refused ones included. */
  readonly responses: number;
  readonly accepted: number;
  /** Accepted ones whose text contains the receipt text asked about. */
  readonly receipts: number;
  readonly calls: Readonly<Record<string, MethodCalls>>;
}

/** What one channel shows now. */
export interface ChannelContents {
  /** Top-level messages (not thread replies). */
  readonly topLevel: number;
  /** Top-level messages carrying the round metadata the app posts with a round message. */
  readonly roundMessages: number;
  readonly replies: number;
  /** Files completed into the channel. */
  readonly files: number;
  /** Files shared in a thread, i.e. under a message. */
  readonly filesInThread: number;
}

export type WorkspaceReply =
  | { readonly kind: 'ready'; readonly apiUrl: string }
  | { readonly kind: 'response-urls'; readonly urls: readonly string[] }
  | { readonly kind: 'summary'; readonly summary: WorkspaceSummary }
  | { readonly kind: 'channels'; readonly channels: readonly ChannelContents[] }
  | { readonly kind: 'stopped' };

function textOf(body: unknown): string {
  return typeof body === 'object' && body !== null && 'text' in body && typeof body.text === 'string' ? body.text : '';
}

function isRoundMessage(metadata: unknown): boolean {
  return typeof metadata === 'object' && metadata !== null && 'event_type' in metadata && metadata.event_type === 'maturity_pulse_round';
}

const port = parentPort;
if (!port) throw new Error('slack-workspace-worker runs as a worker thread');
// The parent built this object from WorkspaceWorkerData; workerData is typed any by Node, so name its shape once.
const data = workerData as WorkspaceWorkerData;

const slack = new SlackApiStandIn({
  teamId: data.teamId,
  botToken: data.botToken,
  ...(data.workspacePostsPerMinute !== undefined ? { workspacePostsPerMinute: data.workspacePostsPerMinute } : {}),
});
await slack.start();
for (const id of data.channelIds) slack.addChannel({ id, name: id.toLowerCase(), members: [] });

function reply(message: WorkspaceReply): void {
  port?.postMessage(message);
}

function contents(channelId: string): ChannelContents {
  const messages = slack.messages(channelId);
  const top = messages.filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts);
  const files = slack.files(channelId);
  return {
    topLevel: top.length,
    roundMessages: top.filter((message) => isRoundMessage(message.metadata)).length,
    replies: messages.length - top.length,
    files: files.length,
    filesInThread: messages.filter((message) => message.thread_ts !== undefined && message.thread_ts !== message.ts).reduce((sum, message) => sum + (message.files?.length ?? 0), 0),
  };
}

port.on('message', (request: WorkspaceRequest) => {
  switch (request.kind) {
    case 'response-urls':
      reply({ kind: 'response-urls', urls: request.userIds.map((userId) => slack.createResponseUrl({ channelId: request.channelId, userId })) });
      return;
    case 'summary': {
      const calls: Record<string, { total: number; limited: number }> = {};
      for (const call of slack.calls) {
        const entry = (calls[call.method] ??= { total: 0, limited: 0 });
        entry.total += 1;
        if (call.status === 429) entry.limited += 1;
      }
      const accepted = slack.responses.filter((response) => response.status === 200);
      reply({
        kind: 'summary',
        summary: { responses: slack.responses.length, accepted: accepted.length, receipts: accepted.filter((response) => textOf(response.body).includes(request.receiptText)).length, calls },
      });
      return;
    }
    case 'channels':
      reply({ kind: 'channels', channels: request.channelIds.map(contents) });
      return;
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
