import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A customer's tickets (tickets/?customer=, right to be forgotten) without reading the tenant's history.
  await sql`CREATE INDEX ticket_customer ON ticket (customer_id) WHERE customer_id IS NOT NULL`.execute(db);
}
