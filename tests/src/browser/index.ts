export { type A11yViolation, checkA11y, WCAG_A_AA } from './a11y.js';
export { CHROMIUM_ARGS, type ChromiumOptions, launchChromium, type RunningChromium } from './chromium.js';
export { horizontalOverflow, type PageLog, recordPageLog } from './page-checks.js';
export { choosePersonAtProvider, signInThroughConsole } from './sign-in.js';
export { apiGet, settled, signInOnTheWay } from './sign-in-return.js';
