import { Snapshot } from '../../lib/model/snapshot';
import { readJsonFile } from './json-file';

/** Reads a snapshot JSON file and checks it against the schema; errors name the file and field. */
export async function readSnapshotFile(file: string): Promise<Snapshot> {
  return readJsonFile(file, Snapshot, 'a packetlens snapshot');
}
