/**
 * The stand-in's directory in memory, saved whole to its data file after changes: a temporary file, fsync'd and
 * renamed over the data file, so a SIGKILL at any instant leaves either the old or the new state, never half of
 * one. Saves are asynchronous and grouped (see GroupCommit): one runs at a time, and the next saves the state as
 * it is then, covering every change made meanwhile. A request that changed something is answered only once a
 * save holding its change has ended (`durably`); reads never wait.
 */
import { readJsonIfExists, writeFileDurably } from '../durable-file';
import { DurableState } from '../durable-state';
import {
  materializeSeed,
  parseTenantData,
  type TenantAdministrativeUnit,
  type TenantData,
  type TenantGroup,
  type TenantRoleAssignment,
  type TenantServicePrincipal,
  type TenantUser,
} from './tenant-data';

const OWNER = 'Graph stand-in';

export type ObjectKind = 'user' | 'group' | 'servicePrincipal';

export type DirectoryObject =
  | { kind: 'user'; value: TenantUser }
  | { kind: 'group'; value: TenantGroup }
  | { kind: 'servicePrincipal'; value: TenantServicePrincipal };

export class TenantStore {
  private byId = new Map<string, DirectoryObject>();
  private byUpn = new Map<string, TenantUser>();
  private readonly state: DurableState<TenantData>;

  private constructor(
    private readonly data: TenantData,
    dataFile: string,
  ) {
    this.reindex();
    this.state = new DurableState(data, dataFile);
  }

  /** Loads `dataFile`, or (when it doesn't exist yet) the seed as of `now`, saved at once so times stay fixed. */
  static open(dataFile: string, seedFile: string, now: Date): TenantStore {
    const saved = readJsonIfExists(dataFile, OWNER);
    if (saved !== undefined) return new TenantStore(parseTenantData(saved), dataFile);
    const seed = readJsonIfExists(seedFile, OWNER);
    if (seed === undefined) throw new Error(`${OWNER}: cannot read ${seedFile}: no such file`);
    const store = new TenantStore(materializeSeed(seed, now), dataFile);
    writeFileDurably(dataFile, JSON.stringify(store.data, null, 1)); // at start: nothing else to block
    return store;
  }

  users(): TenantUser[] {
    return [...this.data.users];
  }

  groups(): TenantGroup[] {
    return [...this.data.groups];
  }

  servicePrincipals(): TenantServicePrincipal[] {
    return [...this.data.servicePrincipals];
  }

  administrativeUnits(): TenantAdministrativeUnit[] {
    return [...this.data.administrativeUnits];
  }

  administrativeUnit(id: string): TenantAdministrativeUnit | undefined {
    return this.data.administrativeUnits.find((u) => u.id.toLowerCase() === id.toLowerCase());
  }

  roleAssignments(): TenantRoleAssignment[] {
    return [...this.data.roleAssignments];
  }

  /** A user by object id or userPrincipalName (both case-insensitive, as in Graph). */
  user(key: string): TenantUser | undefined {
    const found = this.byId.get(key.toLowerCase());
    return found?.kind === 'user' ? found.value : this.byUpn.get(key.toLowerCase());
  }

  group(id: string): TenantGroup | undefined {
    const found = this.byId.get(id.toLowerCase());
    return found?.kind === 'group' ? found.value : undefined;
  }

  servicePrincipal(id: string): TenantServicePrincipal | undefined {
    const found = this.byId.get(id.toLowerCase());
    return found?.kind === 'servicePrincipal' ? found.value : undefined;
  }

  object(id: string): DirectoryObject | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /**
   * Applies a change at once (reads see it) and saves it. The promise settles when the change is on disk, or
   * its save failed; callers that don't wait for it needn't handle its failure.
   */
  change(mutate: (data: TenantData) => void): Promise<void> {
    return this.state.change((data) => {
      mutate(data);
      this.reindex();
    });
  }

  /**
   * Runs `handle` (synchronous), and when it changed the directory waits until those changes are on disk
   * before giving its result (see DurableState.durably).
   */
  durably<T>(handle: () => T): Promise<T> {
    return this.state.durably(handle);
  }

  /** Resolves (never rejects) once every save begun or due for the changes so far has ended. */
  saved(): Promise<void> {
    return this.state.saved();
  }

  private reindex(): void {
    this.byId = new Map<string, DirectoryObject>([
      ...this.data.users.map((value) => [value.id.toLowerCase(), { kind: 'user', value }] as const),
      ...this.data.groups.map((value) => [value.id.toLowerCase(), { kind: 'group', value }] as const),
      ...this.data.servicePrincipals.map(
        (value) => [value.id.toLowerCase(), { kind: 'servicePrincipal', value }] as const,
      ),
    ]);
    this.byUpn = new Map(this.data.users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
  }
}
