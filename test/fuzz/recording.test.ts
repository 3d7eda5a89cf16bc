import { describeTarget } from './fuzz-budget';
import { RECORDING_READER } from './recording.properties';

describeTarget(RECORDING_READER, 150);
