/** An OAuth error answered as Entra ID answers it: `{ error, error_description, error_codes, ... }`. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly code = 'invalid_request',
    readonly status = 400,
    /** A claims challenge echoed back (`claims`), as Entra ID does for Conditional Access. */
    readonly claims?: string,
  ) {
    super(message);
  }

  /** The AADSTS numbers in the message, as Entra ID's `error_codes`. */
  get errorCodes(): number[] {
    const m = /^AADSTS(\d+)/.exec(this.message);
    return m ? [Number(m[1])] : [];
  }
}
