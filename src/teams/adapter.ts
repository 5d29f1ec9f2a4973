import { TeamsAdapter } from "@microsoft/teams-ai";
import type { ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";

export type BotCredentials = {
  id: string | null;
  password: string | null;
  tenantId: string | null;
  type: "MultiTenant" | "SingleTenant" | "UserAssignedMsi";
};

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
export const createAdapter = (
  credentials: BotCredentials,
  overrides: Partial<ConfigurationBotFrameworkAuthenticationOptions> = {},
): TeamsAdapter => {
  const options: Partial<ConfigurationBotFrameworkAuthenticationOptions> = credentials.id
    ? {
        MicrosoftAppId: credentials.id,
        MicrosoftAppPassword: credentials.password ?? undefined,
        MicrosoftAppType: APP_TYPES[credentials.type],
        MicrosoftAppTenantId: credentials.tenantId ?? undefined,
        ...overrides,
      }
    : {};
  return new TeamsAdapter(options as ConfigurationBotFrameworkAuthenticationOptions);
};
