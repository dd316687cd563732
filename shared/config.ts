/**
 * Every app setting, read once and validated with zod. A missing or malformed setting fails at start with a
 * message naming each problem. Settings differ between Azure and a laptop; the code reading them does not.
 */
import { z } from 'zod';

const url = z.url();
const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

export const settingsSchema = z
  .object({
    PIMFLOW_TASK_HUB: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,44}$/, 'must start with a letter and have 3-45 letters or digits'),
    /** Where links in e-mails point: the app's public base URL (its /api lives below it). */
    PUBLIC_BASE_URL: url,

    COSMOS_ENDPOINT: url,
    /** Account key (emulator or local stand-in); absent in Azure, where the managed identity is used. */
    COSMOS_KEY: z.string().min(1).optional(),
    COSMOS_DATABASE: z.string().min(1).default('pimflow'),

    GRAPH_BASE_URL: url.default('https://graph.microsoft.com/v1.0'),
    /** Azure Resource Manager (its audience is `{endpoint}/`); a sovereign cloud's, or the ARM stand-in locally. */
    ARM_ENDPOINT: url.default('https://management.azure.com'),
    /** The audience of ARM's tokens: `https://management.azure.com/` in the public cloud, whatever the endpoint. */
    ARM_AUDIENCE: url.default('https://management.azure.com/'),

    /** ACS e-mail: a connection string, or (in Azure) the endpoint, used with the managed identity. */
    ACS_CONNECTION_STRING: z
      .string()
      .regex(/endpoint=https:\/\/[^;]+;accesskey=.+/i, 'must be "endpoint=https://...;accesskey=..."')
      .optional(),
    ACS_ENDPOINT: url.optional(),
    MAIL_SENDER: z.email(),
    /**
     * PIM's "default recipients" of Admin notifications (in Entra ID: the tenant's privileged role admins), comma
     * separated: lifecycle notices and drift reports go here when a role's Admin rule keeps default recipients on.
     */
    ADMIN_NOTIFICATION_RECIPIENTS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a.length > 0),
      )
      .pipe(z.array(z.email())),

    /** HMAC key (base64, at least 32 bytes) signing the approval links in e-mails. A Key Vault reference in Azure. */
    APPROVAL_LINK_SIGNING_KEY: z
      .string()
      .refine(
        (v) => !v.startsWith('@Microsoft.KeyVault('),
        'is an unresolved Key Vault reference: give the app identity "Key Vault Secrets User" on the vault and check the secret exists',
      )
      .refine((v) => Buffer.from(v, 'base64').length >= 32, 'must be base64 of at least 32 bytes'),
    /** Whether deciding from an e-mail link also needs the approver signed in (a bearer token), not just the link. */
    APPROVAL_REQUIRE_SIGN_IN: bool,

    /** Tokens the API accepts: Entra ID's v2.0 issuer for the tenant, and the API's audience. */
    AUTH_ISSUER: url,
    AUTH_AUDIENCE: z.string().min(1),
    AUTH_TENANT_ID: z.guid(),
    /** The portal's app registration (single-page application); without it the portal explains it isn't set up. */
    PORTAL_CLIENT_ID: z.string().min(1).optional(),

    /** The app's own identity: managed identity in Azure (optionally user-assigned), or a client secret. */
    AZURE_CLIENT_ID: z.string().min(1).optional(),
    AZURE_TENANT_ID: z.guid().optional(),
    AZURE_CLIENT_SECRET: z.string().min(1).optional(),
    AZURE_AUTHORITY_HOST: url.optional(),
    /** For authorities other than Entra ID's public clouds (sovereign stacks, the local identity stand-in). */
    AZURE_DISABLE_INSTANCE_DISCOVERY: bool,
  })
  .superRefine((s, ctx) => {
    if (!s.ACS_CONNECTION_STRING === !s.ACS_ENDPOINT) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACS_CONNECTION_STRING'],
        message: 'set exactly one of ACS_CONNECTION_STRING and ACS_ENDPOINT',
      });
    }
    if (s.AZURE_CLIENT_SECRET && (!s.AZURE_CLIENT_ID || !s.AZURE_TENANT_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AZURE_CLIENT_SECRET'],
        message: 'needs AZURE_CLIENT_ID and AZURE_TENANT_ID too',
      });
    }
  });

export type Settings = z.infer<typeof settingsSchema>;

export class ConfigError extends Error {}

/** Parses settings from the environment; throws a ConfigError naming every missing or malformed setting. */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = settingsSchema.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? 'settings');
    return picked[key] === undefined && issue.code === 'invalid_type'
      ? `${key} is missing`
      : `${key} ${issue.message}`;
  });
  throw new ConfigError(`Invalid app settings: ${problems.join('; ')}`);
}
