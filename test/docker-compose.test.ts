import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs where the tests run: the compose file is checked statically.
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL with its UI, MongoDB, the API and workers', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'mongodb', 'postgresql', 'temporal', 'temporal-ui', 'worker']);
    expect(compose.services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(compose.services['temporal-ui']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
  });

  it('pins real image tags (no latest)', () => {
    const images = Object.values(compose.services).flatMap((service) => (service.image ? [service.image] : []));
    expect(images.sort()).toEqual(['mongo:7.0', 'postgres:16', 'temporalio/auto-setup:1.27.2', 'temporalio/ui:2.30.2']);
    for (const image of images) expect(image).toMatch(/^[a-z0-9/_-]+:\d+(\.\d+)*$/);
  });

  it('starts the production entry points with every required setting', () => {
    for (const name of ['api', 'worker']) {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      expect(service.command!.join(' ')).toContain(name === 'api' ? 'src/bin/api-main.ts' : 'src/bin/worker-main.ts');
      expect(Object.keys(service.environment!)).toEqual(
        expect.arrayContaining(['TEMPORAL_ADDRESS', 'MONGODB_URI', 'CHATHOOK_ADMIN_KEY', 'CHATHOOK_ENCRYPTION_KEY']),
      );
      expect(Object.keys(service.depends_on!)).toEqual(['temporal', 'mongodb']);
    }
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
  });
});
