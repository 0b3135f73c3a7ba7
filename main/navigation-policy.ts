/**
 * What a window may load, open or be granted. Only the branch server's origin (and the shell's own
 * pages) are trusted; everything else is denied, so a link or a script on a page cannot take the
 * window to a foreign site, open a popup, embed a webview or obtain a device permission.
 */

/** The shell's own pages (first-run setup, kiosk exit) are served from this origin. */
export const SHELL_ORIGIN = 'app://shell';

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Custom schemes report "null" as their origin; ours is registered as standard, so rebuild it.
    return parsed.protocol === 'app:' ? `app://${parsed.host}` : parsed.origin;
  } catch {
    return null;
  }
}

export function isTrustedUrl(url: string, trustedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && origin !== 'null' && trustedOrigins.includes(origin);
}

/** `will-navigate` / `will-redirect`: stay on a trusted origin. */
export function mayNavigate(url: string, trustedOrigins: readonly string[]): boolean {
  return isTrustedUrl(url, trustedOrigins);
}

/** `setWindowOpenHandler`: never a new window (the UIs are single-window). */
export function windowOpenAction(): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * Permissions a trusted page may get without asking: fullscreen (kiosk and display pages) and
 * clipboard writes of its own text. Camera, microphone, geolocation, notifications, HID, serial, USB
 * and the rest are denied: the shell's main process, not the page, talks to devices.
 */
const GRANTED = new Set(['fullscreen', 'clipboard-sanitized-write']);

export function mayGrantPermission(permission: string, requestingUrl: string, trustedOrigins: readonly string[]): boolean {
  return GRANTED.has(permission) && isTrustedUrl(requestingUrl, trustedOrigins);
}

/** Content-Security-Policy for the shell's own pages (the branch server sets its own on its pages). */
export const SHELL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The CSP a response gets: the server's own if it sent one, else the shell's strict default. */
export function cspFor(url: string, existing: string | undefined): string {
  if (existing && !url.startsWith(`${SHELL_ORIGIN}/`)) return existing;
  return SHELL_CSP;
}
