/** ARM's error answers: status, code and message in ARM's body, `{"error":{"code","message"}}`. */

export class ArmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string): ArmHttpError =>
  new ArmHttpError(400, code, message);

export const notFound = (code: string, message: string): ArmHttpError => new ArmHttpError(404, code, message);

export const noRoute = (path: string): ArmHttpError =>
  new ArmHttpError(
    404,
    'InvalidResourceType',
    `The resource type could not be found in the namespace for path '${path}' in the ARM stand-in.`,
  );

export const methodNotAllowed = (method: string): ArmHttpError =>
  new ArmHttpError(
    405,
    'MethodNotAllowed',
    `The requested resource does not support http method '${method}'.`,
  );
