import { access } from 'node:fs/promises';

/** Whether something exists at `path` (any error, a missing parent or no right to look, says no). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
