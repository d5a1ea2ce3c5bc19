import { createHmac } from 'node:crypto';

/** Signs a body as Slack does: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export interface SentRequest {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
  readonly headers: Headers;
}

/**
 * Sends requests to the app the way Slack does: form-encoded slash commands and interaction payloads,
 * JSON events, each signed with the signing secret and a current timestamp (or a forged/stale one).
 */
export class SlackRequester {
  constructor(
    private readonly url: string,
    private readonly signingSecret: string,
  ) {}

  async post(body: string, contentType: string, options: { timestamp?: number; signature?: string | null; headers?: Record<string, string> } = {}): Promise<SentRequest> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), ...options.headers };
    const signature = options.signature === undefined ? slackSignature(this.signingSecret, timestamp, body) : options.signature;
    if (signature !== null) headers['x-slack-signature'] = signature;
    const response = await fetch(this.url, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, text, json: parseJson(text), headers: response.headers };
  }

  slashCommand(fields: Record<string, string>, options?: Parameters<SlackRequester['post']>[2]): Promise<SentRequest> {
    return this.post(new URLSearchParams({ command: '/maturity', ...fields }).toString(), 'application/x-www-form-urlencoded', options);
  }

  interaction(payload: Record<string, unknown>, options?: Parameters<SlackRequester['post']>[2]): Promise<SentRequest> {
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
  }

  event(envelope: Record<string, unknown>, options?: Parameters<SlackRequester['post']>[2]): Promise<SentRequest> {
    return this.post(JSON.stringify(envelope), 'application/json', options);
  }
}
