/** Every channel of the shell is namespaced, so a handler can never answer a channel Electron or a page uses. */
export const SHELL_PREFIX = 'shell:';
