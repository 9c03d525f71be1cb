import { openPglite } from '../src/index.js';
import { describeRegistryContract } from './registry-contract.js';

describeRegistryContract('PGlite (in memory)', () => openPglite());
