import { render } from 'preact';
import { App } from './app.js';

// The entry module, loaded by index.html after the import map. The server fills #app only with <noscript>.
const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
render(<App />, root);
