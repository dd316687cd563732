/**
 * Invokes a registered function the way the Functions worker does: through the programming model that
 * `@azure/functions` registered, with RPC-shaped inputs, so handlers get locally exactly what they get in Azure.
 */
import { randomUUID } from 'node:crypto';
import type {
  FunctionsCoreRegistry,
  RegisteredFunction,
  RpcInvocationResponse,
  RpcTypedData,
} from './functions-core';

export interface InvocationInput {
  /** Input data by binding name: the trigger and any extra inputs the host supplies. */
  inputData: { name: string; data: RpcTypedData }[];
  triggerMetadata?: Record<string, RpcTypedData>;
}

export interface InvocationResult {
  response: RpcInvocationResponse;
  /** The `InvocationContext` the handler received (the durable engine reads the orchestrator's state from it). */
  context: unknown;
}

export class FunctionNotFoundError extends Error {}

export class FunctionInvoker {
  constructor(
    private readonly registry: FunctionsCoreRegistry,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  find(name: string): RegisteredFunction | undefined {
    return this.registry.functions.get(name.toLowerCase());
  }

  async invoke(fn: RegisteredFunction, input: InvocationInput): Promise<InvocationResult> {
    const model = this.registry.programmingModel;
    if (!model)
      throw new Error('The app did not register a programming model (is @azure/functions installed?)');
    const invocationId = randomUUID();
    const coreCtx = {
      invocationId,
      request: {
        inputData: input.inputData,
        triggerMetadata: input.triggerMetadata ?? {},
        traceContext: {
          traceParent: `00-${randomHex(32)}-${randomHex(16)}-00`,
          traceState: '',
          attributes: {},
        },
      },
      metadata: fn.metadata,
      state: undefined as string | undefined,
      log: (level: string, category: string, message: string) => {
        if (category === 'user' || level === 'error' || level === 'warning')
          this.log(`[${fn.metadata.name}] ${message}`);
      },
    };
    const invocationModel = model.getInvocationModel(coreCtx);
    const { context, inputs } = await invocationModel.getArguments();
    const hookData: Record<string, unknown> = {};
    const appHookData = this.registry.appHookData;
    const pre = { invocationContext: context, inputs, functionCallback: fn.callback, hookData, appHookData };
    coreCtx.state = 'preInvocationHooks';
    await this.registry.runHooks('preInvocation', pre);
    coreCtx.state = 'invocation';
    let result: unknown;
    let error: unknown;
    try {
      result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (err) {
      error = err;
    }
    coreCtx.state = 'postInvocationHooks';
    const post = { invocationContext: context, inputs: pre.inputs, result, error, hookData, appHookData };
    await this.registry.runHooks('postInvocation', post);
    if (post.error !== undefined && post.error !== null) throw post.error;
    const response = await invocationModel.getResponse(context, post.result);
    return { response, context };
  }
}

function randomHex(length: number): string {
  return randomUUID().replace(/-/g, '').padEnd(length, '0').slice(0, length);
}
