/**
 * plasticd command line. Until the daemon lands, `npm start` runs a short demo of the environments.
 */
import { runEnvDemo } from './demo.ts';

runEnvDemo();
