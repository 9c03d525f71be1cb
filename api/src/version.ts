/** Reported in the OpenAPI document; keep in step with api/package.json. */
export const API_VERSION = '0.1.0';
