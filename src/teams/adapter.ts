import { TeamsAdapter } from "@microsoft/teams-ai";
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions, InvokeResponse, TurnContext } from "botbuilder";

/** The Teams adapter, with the authenticate-then-run step exposed so the endpoint controls its answers. */
export class AccessDeskAdapter extends TeamsAdapter {
  authenticateAndRun(
    authorization: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, logic);
  }
}

export type BotCredentials = {
  id: string | null;
  password: string | null;
  tenantId: string | null;
  type: "MultiTenant" | "SingleTenant" | "UserAssignedMsi";
  /** Validate incoming tokens against this OpenID issuer instead of the Bot Framework's (local tests). */
  authStandIn: { openIdMetadataUrl: string; issuer: string } | null;
};

/**
 * All seven endpoint options, as ConfigurationBotFrameworkAuthentication needs them together: inbound
 * validation from the stand-in, outbound token and OAuth endpoints of the public cloud.
 */
const standInOptions = (standIn: { openIdMetadataUrl: string; issuer: string }) => ({
  ToBotFromChannelOpenIdMetadataUrl: standIn.openIdMetadataUrl,
  ToBotFromChannelTokenIssuer: standIn.issuer,
  ToBotFromEmulatorOpenIdMetadataUrl: standIn.openIdMetadataUrl,
  ToChannelFromBotLoginUrl: "https://login.microsoftonline.com/botframework.com",
  ToChannelFromBotOAuthScope: "https://api.botframework.com",
  OAuthUrl: "https://api.botframework.com",
  CallerId: "urn:botframework:azure",
});

const APP_TYPES = {
  MultiTenant: "MultiTenant",
  SingleTenant: "SingleTenant",
  UserAssignedMsi: "UserAssignedMSI",
} as const;

/**
 * The Bot Framework adapter. With an app id every incoming activity's token is validated
 * (issuer, audience, signature, expiry, service URL); without one (local mode only, enforced by
 * config) the adapter runs anonymous, as the Agents Playground expects.
 */
export const createAdapter = (credentials: BotCredentials): AccessDeskAdapter => {
  const options: Partial<ConfigurationBotFrameworkAuthenticationOptions> = credentials.id
    ? {
        MicrosoftAppId: credentials.id,
        MicrosoftAppPassword: credentials.password ?? undefined,
        MicrosoftAppType: APP_TYPES[credentials.type],
        MicrosoftAppTenantId: credentials.tenantId ?? undefined,
        ...(credentials.authStandIn ? standInOptions(credentials.authStandIn) : {}),
      }
    : {};
  return new AccessDeskAdapter(options as ConfigurationBotFrameworkAuthenticationOptions);
};
