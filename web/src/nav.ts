/** Navigation by the location hash, so Back and bookmarks work. */
export function go(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}
