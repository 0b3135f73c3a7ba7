import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // HQ owns the booking settings of an enrolled branch: a site's opening hours and closed dates, a
  // service's booking rule. NULL: never set at HQ (the branch uses its defaults). They travel down
  // with the site and service rows of the change feed.
  await sql`ALTER TABLE site ADD COLUMN opening_hours jsonb`.execute(db);
  await sql`ALTER TABLE service ADD COLUMN booking_rule jsonb`.execute(db);
}
