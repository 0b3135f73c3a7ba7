import type { Express } from 'express';
// PLACEHOLDER: replaced by the OpenAPI + Swagger UI implementation.
export function extendWithDocs(_app: Express): void {}
