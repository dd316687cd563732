// Test-only timer triggers: each run is recorded on globalThis so in-process tests can read them.
const { app } = require('@azure/functions');

globalThis.pimflowTimerRuns = globalThis.pimflowTimerRuns ?? [];

app.timer('EveryTenSeconds', {
  schedule: '*/10 * * * * *',
  handler: async (timer) => {
    globalThis.pimflowTimerRuns.push({
      name: 'EveryTenSeconds',
      at: new Date().toISOString(),
      isPastDue: timer.isPastDue,
    });
  },
});

app.timer('DailyAtNine', {
  schedule: '%DAILY_SCHEDULE%',
  runOnStartup: true,
  handler: async (timer) => {
    globalThis.pimflowTimerRuns.push({
      name: 'DailyAtNine',
      at: new Date().toISOString(),
      isPastDue: timer.isPastDue,
    });
    // A run longer than the interval must not overlap the next one.
    await new Promise((resolve) => setTimeout(resolve, 50));
  },
});
