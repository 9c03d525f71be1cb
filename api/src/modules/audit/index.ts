export { auditRoutes as auditModule } from './routes.js';
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditService,
  createAuditService,
  type RequestOrigin,
} from './service.js';
