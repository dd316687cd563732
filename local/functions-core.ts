/**
 * Our stand-in for `@azure/functions-core`, the module the Azure Functions Node.js worker injects into the app.
 * `@azure/functions` registers its programming model, functions and hooks through it, so by providing it we see
 * exactly what the real worker sees: full binding metadata and the handlers, without patching the library.
 */
import Module from 'node:module';

/** RPC-shaped typed data, as the worker exchanges it with the host. */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: { value?: string } | null;
  path?: { value?: string } | null;
  expires?: { value?: { seconds?: number } } | null;
  secure?: { value?: boolean } | null;
  httpOnly?: { value?: boolean } | null;
  sameSite?: string | null;
  maxAge?: { value?: number } | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  query?: Record<string, string> | null;
  statusCode?: string | null;
  cookies?: RpcHttpCookie[] | null;
  enableContentNegotiation?: boolean | null;
  identities?: unknown[] | null;
}

export interface RpcBindingInfo {
  type?: string | null;
  direction?: 'in' | 'out' | 'inout' | null;
  dataType?: string | null;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RpcInvocationResponse {
  invocationId?: string | null;
  outputData?: { name?: string | null; data?: RpcTypedData | null }[] | null;
  returnValue?: RpcTypedData | null;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: {
    inputData?: { name: string; data: RpcTypedData }[];
    triggerMetadata?: Record<string, RpcTypedData>;
    traceContext?: { traceParent?: string; traceState?: string; attributes?: Record<string, string> };
    retryContext?: unknown;
  };
  metadata: FunctionMetadata;
  state?: string;
  log(level: string, category: string, message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel;
  getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** Everything the app registered while it loaded. */
export class FunctionsCoreRegistry {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks = new Map<HookName, Set<HookCallback>>();
  /** Shared by every hook of the app, as the worker's `appHookData`. */
  readonly appHookData: Record<string, unknown> = {};
  programmingModel: ProgrammingModel | undefined;

  /** The module object the app gets for `require('@azure/functions-core')`. */
  createModule(): Record<string, unknown> {
    return {
      version: '3.10.1',
      hostVersion: '4.1037.0',
      setProgrammingModel: (model: ProgrammingModel) => {
        this.programmingModel = model;
      },
      getProgrammingModel: () => this.programmingModel,
      registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) => {
        if (this.functions.has(metadata.name.toLowerCase())) {
          throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
        }
        this.functions.set(metadata.name.toLowerCase(), { metadata, callback });
        return { dispose: () => this.functions.delete(metadata.name.toLowerCase()) };
      },
      registerHook: (name: HookName, callback: HookCallback) => {
        const set = this.hooks.get(name) ?? new Set<HookCallback>();
        set.add(callback);
        this.hooks.set(name, set);
        return { dispose: () => set.delete(callback) };
      },
      log: (level: string, category: string, message: string) => {
        if (level === 'error' || level === 'critical') console.error(`[${category}] ${message}`);
      },
      Disposable: class {
        constructor(private readonly callOnDispose: () => void) {}
        dispose(): void {
          this.callOnDispose();
        }
      },
    };
  }

  async runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
    for (const hook of this.hooks.get(name) ?? []) await hook(context);
  }
}

const CORE_MODULE_ID = '@azure/functions-core';
let activeModule: Record<string, unknown> | undefined;
let installed = false;

/**
 * Makes `require('@azure/functions-core')` resolve to the given registry's module, the way the worker does.
 * One registry per process: the Functions worker also loads exactly one app.
 */
export function installFunctionsCore(registry: FunctionsCoreRegistry): void {
  activeModule = registry.createModule();
  if (installed) return;
  installed = true;
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request: string, ...rest: unknown[]): unknown {
    if (request === CORE_MODULE_ID && activeModule) return activeModule;
    return originalLoad.call(this, request, ...rest);
  };
}
