/** One cheap call per dependency, for the health report: does it answer (and accept our credentials)? */
import type { AzureRbac } from '../azure/azure-rbac';
import type { Settings } from '../config';
import type { Directory } from '../directory/directory';
import type { DependencyCheck } from './health-report';

const NO_SUCH_GROUP = '00000000-0000-0000-0000-000000000000';
/** Reader: a built-in role every tenant has, readable at tenant level by any identity ARM accepts. */
const READER_ROLE = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

/** What the checks probe: the database (any readable handle), the directory and the settings' endpoints. */
export interface HealthDeps {
  database: { read(): Promise<unknown> };
  directory: Pick<Directory, 'getGroup'>;
  settings: Pick<Settings, 'AUTH_ISSUER' | 'ACS_ENDPOINT' | 'ACS_CONNECTION_STRING'>;
  /** Azure Resource Manager, when the app manages Azure roles. */
  azureRbac?: Pick<AzureRbac, 'getRoleDefinition'>;
}

export function dependencyChecks(s: HealthDeps): DependencyCheck[] {
  const azureRbac = s.azureRbac;
  return [
    { name: 'cosmosDb', probe: async () => void (await s.database.read()) },
    // A lookup that finds nothing still proves Graph answers and takes our token.
    { name: 'microsoftGraph', probe: async () => void (await s.directory.getGroup(NO_SUCH_GROUP)) },
    {
      name: 'identityProvider',
      probe: async () => {
        const res = await fetch(
          `${s.settings.AUTH_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`,
        );
        if (!res.ok) throw new Error(`OpenID configuration answered ${res.status}`);
      },
    },
    {
      // ACS has no health call; any HTTP answer from its endpoint shows it is reachable.
      name: 'email',
      probe: async () => {
        const endpoint =
          s.settings.ACS_ENDPOINT ?? /endpoint=([^;]+)/i.exec(s.settings.ACS_CONNECTION_STRING ?? '')?.[1];
        if (!endpoint) throw new Error('No ACS endpoint configured');
        await (await fetch(endpoint)).arrayBuffer();
      },
    },
    // A built-in role at tenant level: proves ARM answers and takes our token, whatever scopes we may manage.
    ...(azureRbac
      ? [
          {
            name: 'azureResourceManager',
            probe: async () => {
              if (!(await azureRbac.getRoleDefinition('/', READER_ROLE)))
                throw new Error('ARM has no Reader role');
            },
          },
        ]
      : []),
  ];
}
