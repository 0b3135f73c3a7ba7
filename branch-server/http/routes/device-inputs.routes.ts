import { deviceInputRoutes } from '../../contract/device-inputs.contract.ts';
import { createDeviceInput, deleteDeviceInput, listDeviceInputs, updateDeviceInput } from '../../use-cases/device-inputs.ts';
import type { Handlers } from '../context.ts';
import { callerOf } from './tickets.routes.ts';

export const deviceInputHandlers: Handlers<typeof deviceInputRoutes> = {
  listDeviceInputs: (ctx) => listDeviceInputs(ctx.deps.db, ctx.tenant.id, ctx.params.id),
  createDeviceInput: (ctx) => createDeviceInput(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  updateDeviceInput: (ctx) => updateDeviceInput(ctx.deps, callerOf(ctx), ctx.params.id, ctx.params.input_id, ctx.body),
  deleteDeviceInput(ctx) {
    deleteDeviceInput(ctx.deps, callerOf(ctx), ctx.params.id, ctx.params.input_id);
    return null;
  },
};
