/**
 * Where app code gets the time. Activities and HTTP handlers take a Clock instead of calling Date.now(), so tests
 * can substitute one; orchestrators never use it (they read context.df.currentUtcDateTime).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};
