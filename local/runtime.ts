/**
 * pimflow's local Functions runtime: loads the unchanged function app, serves its HTTP triggers, runs its timer
 * triggers and plays the Durable extension (task hub in Azure Storage, Azurite by default). `npm start` runs it
 * through cli.ts; tests start it in-process, often with a virtual clock.
 */
import { existsSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadFunctionApp, type LoadedApp } from './app-loader';
import { ensureAzurite, type AzuriteHandle } from './azurite';
import { installVirtualDate, RuntimeClock } from './clock';
import { ManagementApi, RPC_PATH, WEBHOOK_PATH } from './durable/management-api';
import { OrchestrationEngine } from './durable/orchestration-engine';
import { TaskHubStore } from './durable/task-hub-store';
import type { RegisteredFunction, RpcTypedData } from './functions-core';
import { functionLevelTriggers, HttpHost, send } from './http-host';
import { FunctionInvoker } from './invoker';
import { allows, basicAuthKey, presentedKey, type AuthLevel } from './key-auth';
import { DURABLE_SYSTEM_KEY, HostKeys } from './keys';
import { IdleTracker } from './semaphore';
import { TimerHost } from './timer-host';

export interface RuntimeOptions {
  /** The function app's folder (with package.json and host.json). */
  appDir: string;
  /** HTTP port; 0 picks a free one. Default: the PORT setting, else 7071 as `func start`. */
  port?: number;
  /**
   * Also serve everything over HTTPS (as `func start --useHttps`, but next to HTTP rather than instead of it) with
   * this certificate (PEM; the local CA's, local/standins/tls.ts), on `port` (0 picks a free one; default 7075).
   * Graph's SDKs send tokens only over HTTPS.
   */
  https?: { key: string; cert: string; port?: number };
  host?: string;
  /** Azure Storage for the task hub. Default: AzureWebJobsStorage if it names a real account, else Azurite. */
  storageConnectionString?: string;
  azurite?: { location?: string; blobPort?: number; queuePort?: number; tablePort?: number };
  /** Overrides host.json's hub name (tests give each runtime its own hub). */
  hubName?: string;
  /** A virtual clock that only moves when told to (tests); pass a Date to start it there. */
  virtualClock?: boolean | Date;
  /** App settings, as the host's environment (they win over local.settings.json). */
  settings?: Record<string, string>;
  /** More app settings that depend on where the runtime listens (e.g. the app's public base URL). */
  settingsFor?: (origin: string, httpsOrigin?: string) => Record<string, string>;
  log?: (line: string) => void;
  /** Stop Azurite on stop() if this runtime started it. Default true. */
  stopStorageOnExit?: boolean;
  /**
   * How long one durable timer may be (TimeSpan): longer ones are split into sub-timers of
   * `longRunningTimerIntervalDuration`. Defaults are the Azure Storage provider's (6 days, 3 days); other
   * backends (MSSQL, Netherite, the Durable Task Scheduler) take long timers whole.
   */
  durableTimers?: { maximumShortTimerDuration: string; longRunningTimerIntervalDuration: string };
  /**
   * Where the host keys live (master, host function, system and function keys; made on first start). Default
   * `<appDir>/.local/secrets`; `npm start` uses `$PIMFLOW_LOCAL_DIR/secrets`.
   */
  keysDir?: string;
}

export interface RuntimeUrls {
  origin: string;
  api: string;
  /** The API over HTTPS (`https://localhost:<port>/api`), when the runtime serves HTTPS. */
  apiHttps?: string;
  durable: string;
  storage: string;
}

interface HostJson {
  version?: string;
  extensions?: {
    http?: { routePrefix?: string };
    durableTask?: {
      hubName?: string;
      maxConcurrentActivityFunctions?: number;
      maxConcurrentOrchestratorFunctions?: number;
      storageProvider?: { connectionStringName?: string; connectionName?: string };
    };
  };
}

export class LocalRuntime {
  private constructor(
    readonly app: LoadedApp,
    readonly urls: RuntimeUrls,
    readonly clock: RuntimeClock,
    readonly engine: OrchestrationEngine,
    readonly hubName: string,
    /** The keys this runtime asks for, as the host does: `keys.durable` for the Durable API, `keys.master`. */
    readonly keys: HostKeys,
    private readonly servers: (http.Server | https.Server)[],
    private readonly idleTracker: IdleTracker,
    private readonly timers: TimerHost,
    private readonly azurite: AzuriteHandle | undefined,
    private readonly restoreDate: (() => void) | undefined,
    private readonly options: RuntimeOptions,
    readonly banner: string[],
  ) {}

  static async start(options: RuntimeOptions): Promise<LocalRuntime> {
    const log = options.log ?? ((line: string) => console.log(line));
    const appDir = path.resolve(options.appDir);
    applySettings(appDir, options.settings ?? {});
    const hostJson = readHostJson(appDir);
    const durable = hostJson.extensions?.durableTask ?? {};
    const hubName = options.hubName ?? resolveSetting(durable.hubName ?? 'TestHubName');
    if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
      throw new Error(`Task hub name "${hubName}" must start with a letter and have 3-45 letters or digits.`);
    }

    const virtualStart = options.virtualClock instanceof Date ? options.virtualClock : new Date();
    const clock = new RuntimeClock(
      options.virtualClock !== undefined && options.virtualClock !== false,
      virtualStart,
    );
    const restoreDate = clock.virtual ? installVirtualDate(clock) : undefined;

    let azurite: AzuriteHandle | undefined;
    let connectionString = options.storageConnectionString;
    const connectionSetting =
      durable.storageProvider?.connectionStringName ??
      durable.storageProvider?.connectionName ??
      'AzureWebJobsStorage';
    const configured = process.env[connectionSetting];
    if (!connectionString && configured && !/UseDevelopmentStorage=true/i.test(configured))
      connectionString = configured;
    if (!connectionString) {
      azurite = await ensureAzurite({
        location: options.azurite?.location ?? path.join(appDir, '.local', 'azurite'),
        blobPort: options.azurite?.blobPort ?? 10000,
        queuePort: options.azurite?.queuePort ?? 10001,
        tablePort: options.azurite?.tablePort ?? 10002,
      });
      connectionString = azurite.connectionString;
      // The app sees the storage the runtime uses, as it would in Azure.
      process.env[connectionSetting] = connectionString;
    }

    // Listen first: settings may depend on the address (a 503 answers until the app is ready).
    const server = http.createServer();
    const notReady = (_req: IncomingMessage, res: ServerResponse) =>
      send(res, 503, { 'retry-after': '1' }, '');
    server.on('request', notReady);
    const requestedPort = options.port ?? Number(process.env.PORT ?? 7071);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(requestedPort, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const origin = `http://localhost:${port}`;
    const servers: (http.Server | https.Server)[] = [server];
    let httpsOrigin: string | undefined;
    if (options.https) {
      const secure = https.createServer({ key: options.https.key, cert: options.https.cert });
      secure.on('request', notReady);
      await new Promise<void>((resolve, reject) => {
        secure.once('error', (err) => {
          // The HTTPS port is taken: leave nothing listening or installed behind.
          server.close();
          restoreDate?.();
          reject(err);
        });
        secure.listen(options.https?.port ?? DEFAULT_HTTPS_PORT, host, () => resolve());
      });
      servers.push(secure);
      httpsOrigin = `https://localhost:${(secure.address() as AddressInfo).port}`;
    }
    for (const [key, value] of Object.entries(options.settingsFor?.(origin, httpsOrigin) ?? {}))
      process.env[key] = value;

    try {
      const app = await loadFunctionApp(appDir);
      const functions = [...app.registry.functions.values()];
      checkBindings(functions);
      const keys = HostKeys.load(options.keysDir ?? path.join(appDir, '.local', 'secrets'), {
        systemKeys: [DURABLE_SYSTEM_KEY],
        functionNames: functionLevelTriggers(functions),
      });
      const invoker = new FunctionInvoker(app.registry, log);
      const store = new TaskHubStore(connectionString, hubName);
      await store.init();
      const idle = new IdleTracker();
      clock.waitForIdle = () => idle.idle();

      let clientData: Record<string, unknown> = {};
      const extraInputs = (fn: RegisteredFunction): { name: string; data: RpcTypedData }[] =>
        Object.entries(fn.metadata.bindings)
          .filter(
            ([, b]) =>
              b.direction === 'in' && (b.type === 'durableClient' || b.type === 'orchestrationClient'),
          )
          .map(([name]) => ({ name, data: { string: JSON.stringify(clientData) } }));

      const engine = new OrchestrationEngine({
        store,
        invoker,
        clock,
        idle,
        maxConcurrentActivities: durable.maxConcurrentActivityFunctions ?? 10,
        maxConcurrentOrchestrations: durable.maxConcurrentOrchestratorFunctions ?? 10,
        extraInputs,
        log,
        ...options.durableTimers,
      });
      const management = new ManagementApi(engine, store, hubName, keys.durable);
      const routePrefix = (hostJson.extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
      const httpHost = new HttpHost(functions, invoker, routePrefix, extraInputs, log, keys);
      const timers = new TimerHost(
        functions,
        invoker,
        clock,
        idle,
        connectionString,
        hubName,
        resolveSetting,
        extraInputs,
        log,
      );

      clientData = management.clientBindingData(origin, `http://127.0.0.1:${port}`);
      const apiPath = routePrefix ? `/${routePrefix}` : '';
      const urls: RuntimeUrls = {
        origin,
        api: `${origin}${apiPath}`,
        ...(httpsOrigin ? { apiHttps: `${httpsOrigin}${apiPath}` } : {}),
        durable: `${origin}${WEBHOOK_PATH}`,
        storage: azurite?.tableEndpoint ?? tableEndpointOf(connectionString),
      };
      const banner = [
        `api: ${urls.api}`,
        ...(urls.apiHttps ? [`api-https: ${urls.apiHttps}`] : []),
        `durable: ${urls.durable}`,
        `storage: ${urls.storage}`,
        `keys: ${keys.hostFile}`,
        ...httpHost.describe(urls.api),
        ...timers.describe(),
      ];
      const runtime = new LocalRuntime(
        app,
        urls,
        clock,
        engine,
        hubName,
        keys,
        servers,
        idle,
        timers,
        azurite,
        restoreDate,
        options,
        banner,
      );
      for (const s of servers) {
        s.off('request', notReady);
        s.on('request', (req: IncomingMessage, res: ServerResponse) => {
          void runtime.route(req, res, httpHost, management, routePrefix);
        });
      }

      const recovered = await engine.recover();
      if (recovered > 0)
        log(`Recovered ${recovered} unfinished orchestration instance(s) from task hub ${hubName}`);
      await timers.start();
      return runtime;
    } catch (err) {
      // Don't leave a half-started runtime listening (or the virtual Date installed).
      for (const s of servers) s.close();
      restoreDate?.();
      throw err;
    }
  }

  /** Resolves when nothing is in flight: no episode, activity, timer-trigger run or HTTP request. */
  waitForIdle(): Promise<void> {
    return this.idleTracker.idle();
  }

  /** Virtual clock: moves time forward (ISO 8601 duration or ms), firing every durable timer and schedule due. */
  advance(by: string | number, options?: { step?: string | number }): Promise<Date> {
    return this.clock.advance(by, options);
  }

  async stop(): Promise<void> {
    this.timers.stop();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    // Let episodes in flight commit, briefly; anything unfinished resumes from the task hub next start.
    await Promise.race([this.idleTracker.idle(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    await this.engine.stop();
    this.clock.stop();
    await this.app.registry.runHooks('appTerminate', {
      hookData: {},
      appHookData: this.app.registry.appHookData,
    });
    if (this.azurite?.startedHere && this.options.stopStorageOnExit !== false) await this.azurite.stop();
    this.restoreDate?.();
  }

  /** Lets a test drive the virtual clock of a runtime in another process: `POST ?advance=P1D`, or GET the time. */
  private async clockEndpoint(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const by = url.searchParams.get('advance');
    try {
      if (req.method === 'POST' && by) await this.clock.advance(by);
      send(
        res,
        200,
        { 'content-type': 'application/json' },
        JSON.stringify({ now: this.clock.now().toISOString() }),
      );
    } catch (err) {
      send(
        res,
        400,
        { 'content-type': 'application/json' },
        JSON.stringify({ message: err instanceof Error ? err.message : String(err) }),
      );
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    httpHost: HttpHost,
    management: ManagementApi,
    routePrefix: string,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', this.urls.origin);
    const pathname = url.pathname;
    const under = (prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);
    // The host's own admin API needs the master key; so do ours (the virtual clock) and the Durable API its key.
    const required: [AuthLevel, string?] | undefined = under('/admin')
      ? ['admin']
      : under(WEBHOOK_PATH) || under(RPC_PATH)
        ? ['system', DURABLE_SYSTEM_KEY]
        : undefined;
    if (required) {
      const key =
        presentedKey(req.headers, url.searchParams) ??
        (under(RPC_PATH) ? basicAuthKey(req.headers) : undefined);
      if (!allows(this.keys.match(key), ...required)) {
        req.resume();
        send(res, 401, {}, '');
        return;
      }
    }
    // Not counted as work in flight: advancing waits for the runtime to be idle, which would include itself.
    if (pathname === '/admin/pimflow/clock' && this.clock.virtual) return this.clockEndpoint(req, res, url);
    this.idleTracker.begin();
    try {
      const body = await readBody(req);
      // The scheme the caller used: URLs the app builds from request.url (Location, nextLink) keep it.
      const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
      const origin = `${scheme}://${req.headers.host ?? new URL(this.urls.origin).host}`;
      if (under(WEBHOOK_PATH) || under(RPC_PATH)) {
        const form = under(WEBHOOK_PATH) ? 'webhook' : 'rpc';
        const rest = pathname.slice((form === 'webhook' ? WEBHOOK_PATH : RPC_PATH).length);
        const result = await management.handle(
          {
            method: (req.method ?? 'GET').toUpperCase(),
            path: rest,
            query: url.searchParams,
            headers: Object.fromEntries(
              Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
            ),
            body: body.toString('utf8'),
            origin,
          },
          form,
        );
        const headers: Record<string, string> = { ...(result.headers ?? {}) };
        if (result.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
        send(res, result.status, headers, result.body === undefined ? '' : JSON.stringify(result.body));
        return;
      }
      if (pathname === '/admin/host/status') {
        send(
          res,
          200,
          { 'content-type': 'application/json' },
          JSON.stringify({ state: 'Running', version: 'pimflow-local' }),
        );
        return;
      }
      const prefix = routePrefix ? `/${routePrefix}` : '';
      if (prefix === '' || under(prefix)) {
        await httpHost.handle(req, res, pathname.slice(prefix.length).replace(/^\/+/, ''), body, origin);
        return;
      }
      send(res, 404, { 'content-type': 'text/plain' }, 'Not Found');
    } catch (err) {
      (this.options.log ?? console.error)(
        `Request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      send(
        res,
        500,
        { 'content-type': 'application/json' },
        JSON.stringify({ message: 'Internal error in the local runtime' }),
      );
    } finally {
      this.idleTracker.end();
    }
  }
}

/** Where `npm start` serves HTTPS unless told otherwise (7072-7074 are the stand-ins'). */
export const DEFAULT_HTTPS_PORT = 7075;

export function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  return LocalRuntime.start(options);
}

function readHostJson(appDir: string): HostJson {
  const file = path.join(appDir, 'host.json');
  if (!existsSync(file)) throw new Error(`No host.json in ${appDir}`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as HostJson;
  if (json.version !== '2.0') throw new Error('host.json must have "version": "2.0"');
  return json;
}

/**
 * Like Core Tools: local.settings.json `Values` become environment variables unless already set. Without one, the
 * committed local.settings.example.json serves, so a fresh clone starts with no set-up.
 */
function applySettings(appDir: string, settings: Record<string, string>): void {
  for (const [key, value] of Object.entries(settings)) process.env[key] = value;
  const file = ['local.settings.json', 'local.settings.example.json']
    .map((f) => path.join(appDir, f))
    .find(existsSync);
  if (!file) return;
  const values = (JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> }).Values ?? {};
  for (const [key, value] of Object.entries(values))
    if (process.env[key] === undefined) process.env[key] = value;
}

/** `%Name%` in binding and host.json values reads the app setting, as the host does. */
export function resolveSetting(value: string): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const setting = process.env[name];
    if (setting === undefined) throw new Error(`App setting "${name}" (referenced as %${name}%) is not set`);
    return setting;
  });
}

const SUPPORTED_BINDINGS = new Set([
  'httpTrigger',
  'timerTrigger',
  'orchestrationTrigger',
  'activityTrigger',
  'durableClient',
  'orchestrationClient',
  'http',
]);

function checkBindings(functions: RegisteredFunction[]): void {
  for (const fn of functions) {
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      const type = String(binding.type);
      if (!SUPPORTED_BINDINGS.has(type) && !(name === '$return' && binding.direction === 'out')) {
        throw new Error(
          `Function "${fn.metadata.name}" uses a "${type}" binding, which pimflow's local runtime does not provide.`,
        );
      }
    }
  }
}

function tableEndpointOf(connectionString: string): string {
  const explicit = /TableEndpoint=([^;]+)/i.exec(connectionString)?.[1];
  if (explicit) return explicit;
  const account = /AccountName=([^;]+)/i.exec(connectionString)?.[1] ?? 'unknown';
  const suffix = /EndpointSuffix=([^;]+)/i.exec(connectionString)?.[1] ?? 'core.windows.net';
  return `https://${account}.table.${suffix}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
