import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { RestoreCalibration, defaultRestoreCalibration } from '../../lib/analyze/restore-calibration';
import { CliError } from './cli-error';

/** Where `npm run bench:analyze` writes the restore timings it measured on this machine. */
export const defaultCalibrationFile = './data/restore-calibration.json';

/**
 * The restore calibration warnings use: the file given, else the one bench:analyze wrote when
 * there is one, else packetlens' default (the figures of shared/docs/SCALING.md).
 */
export async function readCalibration(file: string | undefined): Promise<RestoreCalibration> {
  const path = file ?? (existsSync(defaultCalibrationFile) ? defaultCalibrationFile : null);
  if (path === null) return defaultRestoreCalibration;
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path}: not JSON: ${(e as Error).message}`);
  }
  const parsed = RestoreCalibration.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(
      `${path}: not a restore calibration: field ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
