/**
 * Jest globalSetup for the integration project: starts one moto server for the whole run.
 * It runs in the parent process before the workers are forked, so the AWS_* variables set
 * here are inherited by every test file, and SDK v3 clients built with no options reach moto.
 */
import { isConflictingAwsEnvVar, type MotoServer, motoEnv, startMotoServer } from './moto-server';

declare global {
  // Read by integration-global-teardown.ts; globalSetup and globalTeardown share only globals.
  var __MOTO_SERVER__: MotoServer | undefined;
}

export default async function integrationGlobalSetup(): Promise<void> {
  const server = await startMotoServer();
  globalThis.__MOTO_SERVER__ = server;
  for (const name of Object.keys(process.env)) {
    if (isConflictingAwsEnvVar(name)) {
      delete process.env[name];
    }
  }
  Object.assign(process.env, motoEnv(server.endpoint));
}
