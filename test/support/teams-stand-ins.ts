/**
 * Everything a Teams test needs from Microsoft, on loopback: the channel's token issuer (OpenID metadata + JWKS),
 * the bot's outbound credentials, the Bot Connector, and activity builders. See each file for what is documented
 * and what is INFERRED. Wiring for the app under test:
 *
 *   const teams = await startTeamsStandIns({ appId });
 *   new CloudAdapter(new ConfigurationBotFrameworkAuthentication(teams.settings, teams.credentials));
 *   // activities carry serviceUrl: teams.connector.serviceUrl
 *   await postActivity(botUrl, activity, await teams.issuer.signChannelToken({ appId, serviceUrl: activity.serviceUrl }));
 */
import { TeamsConnectorStandIn, type TeamsConnectorStandInOptions } from './teams-connector-stand-in.js';
import { StandInCredentialsFactory } from './teams-credentials.js';
import { STAND_IN_TENANT_ID, TeamsTokenIssuer, type TeamsAuthSettings } from './teams-token-issuer.js';

export * from './teams-activities.js';
export * from './teams-connector-protocol.js';
export * from './teams-connector-stand-in.js';
export * from './teams-connector-state.js';
export * from './teams-credentials.js';
export * from './teams-rate-limits.js';
export * from './teams-token-issuer.js';

export interface TeamsStandIns {
  readonly appId: string;
  readonly tenantId: string;
  readonly issuer: TeamsTokenIssuer;
  readonly connector: TeamsConnectorStandIn;
  /** Pass as the second argument of ConfigurationBotFrameworkAuthentication. */
  readonly credentials: StandInCredentialsFactory;
  /** Pass as the first argument of ConfigurationBotFrameworkAuthentication (botbuilder's key names). */
  readonly settings: TeamsAuthSettings;
  /** A valid channel token for an activity sent to the bot at this serviceUrl. */
  channelToken(serviceUrl?: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the issuer and the connector for one bot, with settings and credentials that point at them. */
export async function startTeamsStandIns(
  options: { readonly appId: string; readonly tenantId?: string } & Omit<TeamsConnectorStandInOptions, 'issuer' | 'appId'>,
): Promise<TeamsStandIns> {
  const { appId, tenantId = STAND_IN_TENANT_ID, ...connectorOptions } = options;
  const issuer = await TeamsTokenIssuer.start();
  const connector = await TeamsConnectorStandIn.start({ ...connectorOptions, issuer, appId });
  return {
    appId,
    tenantId,
    issuer,
    connector,
    credentials: new StandInCredentialsFactory({ issuer, appId, tenantId }),
    settings: issuer.authSettings(appId, { tenantId }),
    channelToken: (serviceUrl = connector.serviceUrl) => issuer.signChannelToken({ appId, serviceUrl }),
    close: async () => {
      await connector.close();
      await issuer.close();
    },
  };
}
