import { Client, Connection } from '@temporalio/client';

export interface TemporalClientHandle {
  connection: Connection;
  client: Client;
}

export async function connectTemporalClient(address: string, namespace: string): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address, connectTimeout: '10s' });
  return { connection, client: new Client({ connection, namespace }) };
}
