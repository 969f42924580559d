import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TOOLS_BIN = join(PROJECT_ROOT, '.tools', 'bin');

export interface ToolOverrides {
  temporalCliPath?: string | undefined;
  ferretdbPath?: string | undefined;
}

function located(override: string | undefined, name: string): string {
  const path = override ?? join(TOOLS_BIN, name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} not found at ${path}: run "npm run bootstrap" (or set ${name === 'ferretdb' ? 'FERRETDB_PATH' : 'TEMPORAL_CLI_PATH'})`,
    );
  }
  return path;
}

export const temporalCliPath = (overrides: ToolOverrides = {}) => located(overrides.temporalCliPath, 'temporal');
export const temporalTestServerPath = () => located(undefined, 'temporal-test-server');
export const ferretdbPath = (overrides: ToolOverrides = {}) => located(overrides.ferretdbPath, 'ferretdb');
