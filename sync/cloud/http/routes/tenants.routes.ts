import type { hqTenantRoutes } from '../../../protocol/hq-tenants.contract.ts';
import { createCloudTenant, getTenantBySlug, listTenants, toTenantDto, updateTenant } from '../../use-cases/tenants.ts';
import type { CloudHandlers } from '../context.ts';
import { toPage } from '../pagination.ts';

export const hqTenantHandlers: CloudHandlers<typeof hqTenantRoutes> = {
  async listTenants(ctx) {
    return toPage(await listTenants(ctx.deps, ctx.query), ctx);
  },
  async createTenant({ deps, body }) {
    const created = await createCloudTenant(deps, {
      name: body.name, slug: body.slug, plan: body.plan, locale: body.locale, timezone: body.timezone,
      adminEmail: body.admin_email, adminPassword: body.admin_password, withDemoData: body.with_demo_data,
    });
    return toTenantDto(await deps.cloud.db.selectFrom('tenant').selectAll().where('id', '=', created.tenantId).executeTakeFirstOrThrow());
  },
  getTenant: ({ deps, params }) => getTenantBySlug(deps, params.slug).then(toTenantDto),
  updateTenant: ({ deps, params, body, now }) => updateTenant(deps, params.slug, body, now),
};
