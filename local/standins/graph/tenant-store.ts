/**
 * The stand-in's directory in memory, saved to its data file after every change. Each save writes a temporary
 * file, fsyncs it and renames it over the data file, so a SIGKILL at any instant leaves either the old or the new
 * state, never half of one; a change is saved before the request that made it is answered.
 */
import { readJsonIfExists, writeFileDurably } from '../durable-file';
import {
  materializeSeed,
  parseTenantData,
  type TenantData,
  type TenantGroup,
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

  private constructor(
    private readonly data: TenantData,
    private readonly dataFile: string,
  ) {
    this.reindex();
  }

  /** Loads `dataFile`, or (when it doesn't exist yet) the seed as of `now`, saved at once so times stay fixed. */
  static open(dataFile: string, seedFile: string, now: Date): TenantStore {
    const saved = readJsonIfExists(dataFile, OWNER);
    if (saved !== undefined) return new TenantStore(parseTenantData(saved), dataFile);
    const seed = readJsonIfExists(seedFile, OWNER);
    if (seed === undefined) throw new Error(`${OWNER}: cannot read ${seedFile}: no such file`);
    const store = new TenantStore(materializeSeed(seed, now), dataFile);
    store.save();
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

  /** Applies a change and saves it before returning. */
  change(mutate: (data: TenantData) => void): void {
    mutate(this.data);
    this.reindex();
    this.save();
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

  private save(): void {
    writeFileDurably(this.dataFile, JSON.stringify(this.data, null, 1));
  }
}
