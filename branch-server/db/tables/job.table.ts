import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface JobTable {
  id: string;
  type: string;
  payload: Generated<string>;
  status: Generated<'pending' | 'running' | 'done' | 'failed'>;
  run_at: number;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_until: number | null;
  last_error: Generated<string>;
  /** Jobs with the same key run one at a time, in id order (e.g. `printer:<id>`). */
  ordering_key: string | null;
  created_at: number;
  updated_at: number;
}

export type JobRow = Selectable<JobTable>;
export type NewJobRow = Insertable<JobTable>;
export type JobRowUpdate = Updateable<JobTable>;
