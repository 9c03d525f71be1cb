// The console's Node side: where the built pages live and what a server must send for them. The pages
// themselves are browser code in web/ and talk to the API over HTTP only.
export {
  CONSOLE_DIRS,
  type ConsoleAssets,
  consoleAssets,
  contentSecurityPolicy,
  type StaticRoot,
  scriptHash,
} from './assets.js';
export { CONSOLE_ROUTES, type ConsoleRoute } from './routes.js';
export { type VendorFiles, type VendorRoot, vendorFiles } from './vendor.js';
