/** Makes a file's (or a directory's entries') writes durable: open, fsync, close (POSIX fsync(2)). */
import { closeSync, fsyncSync, openSync } from 'node:fs';

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
