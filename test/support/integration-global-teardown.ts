/** Jest globalTeardown for the integration project: stops the moto server from globalSetup. */
export default async function integrationGlobalTeardown(): Promise<void> {
  const server = globalThis.__MOTO_SERVER__;
  globalThis.__MOTO_SERVER__ = undefined;
  await server?.stop();
}
