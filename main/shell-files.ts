import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png',
};

/**
 * Maps an `app://shell/<path>` request to a file of the shell's pages, or null (unknown type, or a
 * path escaping the folder). The protocol handler answers null with 404.
 */
export function shellFileFor(url: string, root: string): { file: string; type: string } | null {
  let pathname: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'app:' || parsed.host !== 'shell') return null;
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = normalize(pathname === '/' ? '/setup.html' : pathname).replace(/^[/\\]+/, '');
  const file = join(root, relative);
  if (relative.startsWith('..') || !file.startsWith(root + sep)) return null;
  const type = TYPES[extname(file)];
  return type ? { file, type } : null;
}
