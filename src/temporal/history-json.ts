import type { temporal } from '@temporalio/proto';
import { createRequire } from 'node:module';

type History = temporal.api.history.v1.IHistory;

/*
 * Workflow histories in Temporal's JSON form (what `temporal workflow show --output json` and the
 * UI export), for recorded histories that replay tests load. `@temporalio/common`'s
 * historyToJSON/historyFromJSON cannot be used in this install: its protobufjs copy is not the
 * one @temporalio/proto's types were built with, so protojson rejects them ("type must be a
 * Type"). Resolving protojson from @temporalio/proto's own location works whichever way npm
 * lays the copies out.
 */
const require = createRequire(import.meta.url);
const protoEntry = require.resolve('@temporalio/proto');
const protojson = createRequire(protoEntry)('protobufjs/ext/protojson') as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History | null;
};
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
};
const historyType = patchProtobufRoot(require('@temporalio/proto')).lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, history), null, 2);
}

export function historyFromJSON(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a workflow history');
  return history;
}
