import { existsSync } from 'node:fs';
import { RestoreCalibration, defaultRestoreCalibration } from '../../lib/analyze/restore-calibration';
import { readJsonFile } from './json-file';

/** Where `npm run bench:analyze` writes the restore timings it measured on this machine. */
export const defaultCalibrationFile = './data/restore-calibration.json';

/**
 * The restore calibration warnings use: the file given, else the one bench:analyze wrote when
 * there is one, else packetlens' default (the figures of shared/docs/SCALING.md).
 */
export async function readCalibration(file: string | undefined): Promise<RestoreCalibration> {
  const path = file ?? (existsSync(defaultCalibrationFile) ? defaultCalibrationFile : null);
  if (path === null) return defaultRestoreCalibration;
  return readJsonFile(path, RestoreCalibration, 'a restore calibration');
}
