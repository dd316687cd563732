/**
 * The drift check's composition on top of the app's services (built once): the drift store, and the
 * activities the orchestration calls.
 */
import { getServices, type Services } from '../services';
import { createRoleSettingsSource } from '../policies/role-settings-source';
import { PimStore } from '../requests/adapters/pim-store';
import { createDriftActivities, type DriftActivities } from './drift-check';
import { DriftStore } from './adapters/drift-store';

export interface DriftServices extends Services {
  driftReports: DriftStore;
  driftActivities: DriftActivities;
}

let drift: Promise<DriftServices> | undefined;

export function getDriftServices(): Promise<DriftServices> {
  drift ??= build().catch((err: unknown) => {
    drift = undefined;
    throw err;
  });
  return drift;
}

async function build(): Promise<DriftServices> {
  const services = await getServices();
  const driftReports = new DriftStore(services.database.container('driftReports'));
  return {
    ...services,
    driftReports,
    driftActivities: createDriftActivities({
      managedGroups: services.managedGroups,
      store: new PimStore(services.database),
      directory: services.directory,
      driftReports,
      audit: services.audit,
      mailer: services.mailer,
      clock: services.clock,
      roleSettings: createRoleSettingsSource(services),
      adminRecipients: services.settings.ADMIN_NOTIFICATION_RECIPIENTS,
      publicBaseUrl: services.settings.PUBLIC_BASE_URL,
      log: (message) => console.warn(message),
    }),
  };
}
