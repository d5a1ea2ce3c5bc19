import client from 'prom-client';
import type { DeliveryKind } from './core/outbox.js';
import type { Platform } from './core/platform.js';

/** What arrived from a chat platform, as a small closed set (never an id, a name or a text). */
export type InboundKind = 'action' | 'view' | 'command' | 'event' | 'options' | 'message' | 'invoke' | 'other';
/** How one attempt at a delivery ended (`waiting`: held back by a rate limit or for the message it belongs to). */
export type DeliveryResult = 'sent' | 'retry' | 'failed' | 'cancelled' | 'waiting';
/** What a tick's attempt to take or keep the scheduler lease found. */
export type LeaseResult = 'held' | 'standby' | 'lost';
/** How a dashboard sign-in ended, by provider (`demo`: the demo's "sign in as…"). */
export type SignInProvider = 'slack' | 'entra' | 'demo';
export type SignInResult = 'signed-in' | 'refused' | 'provider-unreachable';
/** How a `/api/v1` request's bearer token was judged. */
export type ApiTokenResult = 'accepted' | 'refused';

/**
 * What the app tells about itself, for operators. Services, the scheduler and adapters report through
 * this; only `PrometheusMetrics` knows prom-client. Labels are small closed sets: no user, channel, team
 * or workspace id, no team name and no raw path ever becomes a label.
 */
export interface Metrics {
  inboundEvent(platform: Platform, kind: InboundKind): void;
  /** From a platform request's arrival to the response that acknowledges it (HTTP routes of Slack and Teams; in Slack Socket Mode, envelope to ack). */
  observeAck(platform: Platform, seconds: number): void;
  delivery(platform: Platform, kind: DeliveryKind, result: DeliveryResult): void;
  /** A platform answered "rate limited": sends to that workspace wait for its Retry-After. */
  rateLimitWait(platform: Platform): void;
  leaseRenewal(result: LeaseResult): void;
  observeDigestBuild(seconds: number): void;
  observeChartRender(seconds: number): void;
  /** `route` is a template or a fixed path of ours, never the request's own path. */
  observeHttpRequest(route: string, method: string, status: number, seconds: number): void;
  countSignIn(provider: SignInProvider, result: SignInResult): void;
  apiTokenAuth(result: ApiTokenResult): void;
}

/** For tools and tests that run services without a metrics endpoint. */
export const NO_METRICS: Metrics = {
  inboundEvent: () => undefined,
  observeAck: () => undefined,
  delivery: () => undefined,
  rateLimitWait: () => undefined,
  leaseRenewal: () => undefined,
  observeDigestBuild: () => undefined,
  observeChartRender: () => undefined,
  observeHttpRequest: () => undefined,
  countSignIn: () => undefined,
  apiTokenAuth: () => undefined,
};

/** Figures read at scrape time from the process and the database. */
export interface MetricsProbes {
  /** Whether this process holds the scheduler lease (and so is the one that sends). */
  isLeader(): boolean;
  /** The outbox's waiting deliveries; asked only of the lease holder, so replicas never double it. */
  outbox(): Promise<{ readonly pending: number; readonly oldestPendingAt: Date | null }>;
  now(): Date;
}

const PREFIX = 'maturity_pulse_';
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Prometheus' default buckets plus 3 s, Slack's deadline for an acknowledgement.
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5, 10];
const WORK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The Prometheus registry of one process: Node's default metrics and the app's own. */
export class PrometheusMetrics implements Metrics {
  readonly registry = new client.Registry();
  private probes: MetricsProbes | null = null;
  private readonly inbound: client.Counter<'platform' | 'kind'>;
  private readonly ack: client.Histogram<'platform'>;
  private readonly deliveries: client.Counter<'platform' | 'kind' | 'result'>;
  private readonly rateLimits: client.Counter<'platform'>;
  private readonly leases: client.Counter<'result'>;
  private readonly digestBuild: client.Histogram;
  private readonly chartRender: client.Histogram;
  private readonly http: client.Histogram<'route' | 'method' | 'status_class'>;
  private readonly signIns: client.Counter<'provider' | 'result'>;
  private readonly apiTokens: client.Counter<'result'>;

  constructor() {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.inbound = new client.Counter({ name: `${PREFIX}inbound_events_total`, help: 'Requests and events received from Slack and Teams, by platform and kind.', labelNames: ['platform', 'kind'], registers });
    this.ack = new client.Histogram({ name: `${PREFIX}ack_duration_seconds`, help: 'Time from a Slack or Teams request arriving to its acknowledgement (HTTP routes, or envelope to ack in Slack Socket Mode).', labelNames: ['platform'], buckets: ACK_BUCKETS, registers });
    this.deliveries = new client.Counter({ name: `${PREFIX}deliveries_total`, help: 'Outbox delivery attempts, by platform, kind and result.', labelNames: ['platform', 'kind', 'result'], registers });
    this.rateLimits = new client.Counter({ name: `${PREFIX}rate_limit_waits_total`, help: 'Sends held back because the platform answered rate limited (Retry-After).', labelNames: ['platform'], registers });
    this.leases = new client.Counter({ name: `${PREFIX}lease_renewals_total`, help: 'Attempts to take or keep the scheduler lease, by what they found.', labelNames: ['result'], registers });
    this.digestBuild = new client.Histogram({ name: `${PREFIX}digest_build_duration_seconds`, help: 'Time to build a digest in the digest worker.', buckets: WORK_BUCKETS, registers });
    this.chartRender = new client.Histogram({ name: `${PREFIX}chart_render_duration_seconds`, help: 'Time to render a digest chart in the chart worker.', buckets: WORK_BUCKETS, registers });
    this.http = new client.Histogram({ name: `${PREFIX}http_request_duration_seconds`, help: 'HTTP requests served, by route template, method and status class.', labelNames: ['route', 'method', 'status_class'], buckets: ACK_BUCKETS, registers });
    this.signIns = new client.Counter({ name: `${PREFIX}sign_ins_total`, help: 'Dashboard sign-ins, by identity provider and result.', labelNames: ['provider', 'result'], registers });
    this.apiTokens = new client.Counter({ name: `${PREFIX}api_token_auth_total`, help: 'API requests by how their bearer token was judged.', labelNames: ['result'], registers });
    const probes = () => this.probes;
    new client.Gauge({
      name: `${PREFIX}scheduler_leader`,
      help: '1 while this process holds the scheduler lease (runs the tick and sends), else 0.',
      registers,
      collect() {
        this.set(probes()?.isLeader() ? 1 : 0);
      },
    });
    const outbox = async () => {
      const current = probes();
      return current?.isLeader() ? { figures: await current.outbox(), now: current.now() } : null;
    };
    new client.Gauge({
      name: `${PREFIX}outbox_pending`,
      help: 'Deliveries waiting in the outbox (exposed by the lease holder only, so replicas are never summed twice).',
      registers,
      async collect() {
        const read = await outbox();
        if (read) this.set(read.figures.pending);
        else this.reset();
      },
    });
    new client.Gauge({
      name: `${PREFIX}outbox_oldest_pending_age_seconds`,
      help: 'Age of the oldest delivery waiting in the outbox; 0 when none waits (lease holder only).',
      registers,
      async collect() {
        const read = await outbox();
        if (!read) this.reset();
        else this.set(read.figures.oldestPendingAt ? Math.max(0, (read.now.getTime() - read.figures.oldestPendingAt.getTime()) / 1000) : 0);
      },
    });
  }

  /** Connects the scrape-time figures once the scheduler and the store exist. */
  setProbes(probes: MetricsProbes): void {
    this.probes = probes;
  }

  async render(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  inboundEvent(platform: Platform, kind: InboundKind): void {
    this.inbound.inc({ platform, kind });
  }

  observeAck(platform: Platform, seconds: number): void {
    this.ack.observe({ platform }, seconds);
  }

  delivery(platform: Platform, kind: DeliveryKind, result: DeliveryResult): void {
    this.deliveries.inc({ platform, kind, result });
  }

  rateLimitWait(platform: Platform): void {
    this.rateLimits.inc({ platform });
  }

  leaseRenewal(result: LeaseResult): void {
    this.leases.inc({ result });
  }

  observeDigestBuild(seconds: number): void {
    this.digestBuild.observe(seconds);
  }

  observeChartRender(seconds: number): void {
    this.chartRender.observe(seconds);
  }

  observeHttpRequest(route: string, method: string, status: number, seconds: number): void {
    this.http.observe({ route, method: HTTP_METHODS.has(method) ? method : 'other', status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  countSignIn(provider: SignInProvider, result: SignInResult): void {
    this.signIns.inc({ provider, result });
  }

  apiTokenAuth(result: ApiTokenResult): void {
    this.apiTokens.inc({ result });
  }
}

/** Seconds since `startedAt` (from `process.hrtime.bigint()`). */
export function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}
