// Starts the dashboard's store, collection schedule and cache warm-up with the server, not on the
// first request, so `npm start` with an inventory collects right away.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { dashboard } = await import('./collector/dashboard/runtime');
  await dashboard();
}
