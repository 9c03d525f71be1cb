import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { displayUserCode, normalizeUserCode } from './codes.js';
import { devicePageRoute } from './schemas.js';

function page(code: string | undefined): string {
  // The code is only echoed after normalisation to 8 letters of the user-code alphabet: nothing to escape.
  const shown = code === undefined ? '' : `<p class="code">${displayUserCode(code)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Link a Linkwell gateway</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.code{font:700 2rem ui-monospace,monospace;letter-spacing:.2em}code{background:#eee;padding:0 .2em}</style>
</head>
<body>
<h1>Link a Linkwell gateway</h1>
${shown}
<p>Open the Linkwell app, choose <em>Add gateway</em> and enter the code shown by the gateway. The gateway
joins your household as soon as you approve it.</p>
<p>Without the app, a household member can approve with the API:</p>
<pre><code>curl -X POST /v1/device-authorizations/verify \\
  -H "Authorization: Bearer &lt;your token with the gateways:link scope&gt;" \\
  -H "Content-Type: application/json" \\
  -d '{"user_code": "XXXX-XXXX"}'</code></pre>
<p>Did not start linking a gateway? Do not enter the code; refuse it with
<code>POST /v1/device-authorizations/deny</code> or let it expire.</p>
</body>
</html>
`;
}

/**
 * GET /device, the RFC 8628 verification_uri. With the console it redirects to the console's approval page
 * (the person signs in there and picks the household), keeping `user_code` so the code is filled in; the
 * explanation for API users stays at /device?help (and at /device when there is no console).
 */
export const devicePageRoutes: FastifyPluginAsyncTypebox<{ activationPath?: string | undefined }> = async (
  app,
  opts,
) => {
  app.get('/device', { schema: devicePageRoute }, async (request, reply) => {
    const typed = request.query.user_code;
    if (opts.activationPath !== undefined && request.query.help === undefined) {
      const code = typed === undefined ? undefined : normalizeUserCode(typed);
      const query = code === undefined ? '' : `?user_code=${encodeURIComponent(displayUserCode(code))}`;
      return reply.header('cache-control', 'no-store').redirect(`${opts.activationPath}${query}`, 302);
    }
    const code = typed === undefined ? undefined : normalizeUserCode(typed);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(page(code));
  });
};
