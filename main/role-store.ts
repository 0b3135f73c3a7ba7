import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RoleConfig, type RoleConfigInput } from './role-config.ts';

export class RoleStoreError extends Error {
  override readonly name = 'RoleStoreError';
}

export type RoleStore = Readonly<{
  file: string;
  /** The stored role, or null before the first-run setup (or after a reset). */
  load(): RoleConfig | null;
  /** Validates and stores the role atomically (a crash leaves the old file or the new one). */
  save(input: RoleConfigInput): RoleConfig;
}>;

/** The role of this PC, in `<userData>/role.json`. */
export function createRoleStore(userDataDir: string): RoleStore {
  const file = join(userDataDir, 'role.json');
  return {
    file,
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new RoleStoreError(`${file} is not valid JSON: delete it to run the first-run setup again.`);
      }
      const parsed = RoleConfig.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new RoleStoreError(`${file} is invalid (${issue?.path.join('.') || 'role'}: ${issue?.message}): delete it to run the first-run setup again.`);
      }
      return parsed.data;
    },
    save(input) {
      const config = RoleConfig.parse(input);
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(config, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      return config;
    },
  };
}
