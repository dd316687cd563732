/**
 * The api-versions the stand-in answers, per resource type, as ARM checks them: each request must name one
 * (`?api-version=`) that its resource type supports. Each list holds what pimflow's SDKs send (arm-authorization 9:
 * 2022-04-01, its PIM calls 2020-10-01; arm-resources 8: 2025-04-01; arm-resources-subscriptions 3: 2022-12-01;
 * arm-managementgroups 2: 2021-04-01) and a few others ARM accepts.
 */
import { ArmHttpError, badRequest } from './arm-errors';

export const API_VERSIONS = {
  authorization: [
    '2022-04-01',
    '2022-05-01-preview',
    '2022-01-01-preview',
    '2020-10-01',
    '2020-10-01-preview',
    '2020-04-01-preview',
    '2018-09-01-preview',
    '2018-01-01-preview',
    '2015-07-01',
  ],
  subscriptions: ['2022-12-01', '2021-01-01', '2020-01-01', '2019-11-01', '2016-06-01'],
  resources: [
    '2025-04-01',
    '2024-11-01',
    '2024-07-01',
    '2024-03-01',
    '2022-09-01',
    '2021-04-01',
    '2020-06-01',
  ],
  managementGroups: ['2023-04-01', '2021-04-01', '2020-05-01', '2020-02-01'],
} as const;

/** A resource provider's types and their api-versions (newest first), for generic resource reads. */
export const RESOURCE_TYPE_API_VERSIONS: Record<string, readonly string[]> = {
  'microsoft.keyvault/vaults': ['2024-11-01', '2023-07-01', '2022-07-01', '2021-10-01', '2019-09-01'],
  'microsoft.storage/storageaccounts': ['2024-01-01', '2023-05-01', '2023-01-01', '2022-09-01', '2021-09-01'],
};

export function resourceTypeApiVersions(type: string): readonly string[] {
  return RESOURCE_TYPE_API_VERSIONS[type.toLowerCase()] ?? ['2023-01-01'];
}

/** Checks `api-version` against what the resource type supports, with ARM's 400s. */
export function checkApiVersion(query: URLSearchParams, supported: readonly string[], type: string): void {
  const version = query.get('api-version');
  if (!version) {
    throw badRequest(
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (!supported.includes(version)) {
    throw new ArmHttpError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions for resource type '${type}' are '${supported.join(',')}'.`,
    );
  }
}
