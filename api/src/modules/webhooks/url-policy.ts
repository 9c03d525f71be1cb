// The outbound-URL policy (SSRF) lives in shared infrastructure, where the CRM's webhook destinations use it
// too; the webhooks context reaches it here.
export * from '../../shared/url-policy.js';
