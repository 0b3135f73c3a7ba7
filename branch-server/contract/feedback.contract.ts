import { z } from 'zod';
import { IsoDateTime, PageQuery, paginated, TenantParams, Text, Uuid } from './common.ts';
import { QueryDateTime, Tags } from './fields.ts';
import { defineRoutes, PUBLIC, scope } from './route.ts';

export const NpsCategory = z.enum(['promoter', 'passive', 'detractor']);
export const FeedbackChannel = z.enum(['kiosk', 'web', 'staff']);

export const FeedbackDto = z.object({
  id: z.string(),
  ticket: z.string().nullable(),
  ticket_number: z.string().nullable(),
  queue: z.string().nullable(),
  customer: z.string().nullable(),
  csat: z.number().int().nullable().describe('1-5'),
  nps: z.number().int().nullable().describe('0-10'),
  nps_category: NpsCategory.nullable().describe('9-10 promoter, 7-8 passive, 0-6 detractor'),
  wait_rating: z.number().int().nullable(),
  service_rating: z.number().int().nullable(),
  comment: z.string(),
  tags: z.array(z.string()),
  channel: FeedbackChannel,
  created_at: IsoDateTime,
});
export type FeedbackDto = z.infer<typeof FeedbackDto>;

const Rating = z.number().int().min(1).max(5);
const scoreFields = {
  csat: Rating.optional(),
  nps: z.number().int().min(0).max(10).optional(),
  wait_rating: Rating.optional(),
  service_rating: Rating.optional(),
  comment: Text(1000).default(''),
  tags: Tags.default([]),
};
const hasScore = (b: { csat?: number | undefined; nps?: number | undefined; wait_rating?: number | undefined; service_rating?: number | undefined }) =>
  b.csat !== undefined || b.nps !== undefined || b.wait_rating !== undefined || b.service_rating !== undefined;
const needsScore = { message: 'give at least one score: csat, nps, wait_rating or service_rating', path: ['csat'] };

export const CreateFeedbackBody = z.object({ ticket: Uuid.nullable().optional(), ...scoreFields }).strict().refine(hasScore, needsScore);
export const PublicFeedbackBody = z.object(scoreFields).strict().refine(hasScore, needsScore);

/** Filters shared by the list and the summary. */
const FeedbackFilters = z.object({
  ticket: Uuid.optional(),
  customer: Uuid.optional(),
  queue: Uuid.optional(),
  nps_category: NpsCategory.optional(),
  channel: FeedbackChannel.optional(),
  created_after: QueryDateTime.optional().describe('inclusive'),
  created_before: QueryDateTime.optional().describe('exclusive'),
});
export const FeedbackListQuery = PageQuery.extend(FeedbackFilters.shape).strict();
export const FeedbackSummaryQuery = FeedbackFilters.strict();

export const FeedbackSummaryDto = z.object({
  count: z.number().int(),
  csat_count: z.number().int(),
  avg_csat: z.number().nullable(),
  nps_count: z.number().int(),
  promoters: z.number().int(),
  passives: z.number().int(),
  detractors: z.number().int(),
  nps_score: z.number().int().nullable().describe('% promoters − % detractors, −100..100; null without NPS answers'),
  avg_wait_rating: z.number().nullable(),
  avg_service_rating: z.number().nullable(),
});

export const feedbackRoutes = defineRoutes({
  feedbackSummary: {
    method: 'get', path: '/api/v1/tenants/:slug/feedback/summary/', tag: 'feedback', access: scope('read:feedback'),
    summary: 'Average CSAT, NPS score and counts over the filtered feedback',
    params: TenantParams, query: FeedbackSummaryQuery, response: FeedbackSummaryDto,
  },
  listFeedback: {
    method: 'get', path: '/api/v1/tenants/:slug/feedback/', tag: 'feedback', access: scope('read:feedback'),
    summary: 'List feedback, newest first (filters: ticket, customer, queue, nps_category, channel, created_after, created_before)',
    params: TenantParams, query: FeedbackListQuery, response: paginated(FeedbackDto),
  },
  createFeedback: {
    method: 'post', path: '/api/v1/tenants/:slug/feedback/', tag: 'feedback', access: scope('write:ticket', 'leave-feedback'), status: 201,
    summary: 'Record feedback (a kiosk or staff): at least one score; with a ticket, it must be closed and have no feedback yet',
    params: TenantParams, body: CreateFeedbackBody, response: FeedbackDto,
  },
  publicFeedback: {
    method: 'post', path: '/api/v1/public/tickets/:public_id/feedback/', tag: 'public', access: PUBLIC, status: 201,
    summary: "The customer's feedback from the phone page, once, after their ticket was closed",
    params: z.object({ public_id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'unknown ticket') }),
    body: PublicFeedbackBody, response: FeedbackDto,
  },
});
