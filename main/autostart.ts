/**
 * Start at login. Electron's login items cover Windows (and macOS); on Linux the freedesktop way is a
 * `.desktop` file in ~/.config/autostart, written here.
 */
export function autostartDesktopEntry(execPath: string, appImage: string | undefined): string {
  const exec = appImage ?? execPath;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=SmartQueue',
    `Exec="${exec.replace(/(["\\`$])/g, '\\$1')}"`,
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=true',
    '',
  ].join('\n');
}
