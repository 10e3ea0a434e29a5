/** Recording a training job's requests (record proxy, trace format) and turning them into a workload profile. */
export { startRecording, parseUpstream, checkUpstream, type RecordOptions, type RecordSummary, type RecordingProxy } from './record-proxy.js';
export { tuneRecorderProcess, RECORDER_V8_FLAGS } from './record-warmup.js';
export { readTrace, parseTrace, TRACE_FORMAT, TRACE_VERSION, REDACTED, type Trace, type TraceExchange, type TraceHeader, type TraceFooter } from './trace-format.js';
export { profileOfTrace, splitRuns, scheduleOf, parseLooseJson } from './profile-extract.js';
export {
  readProfile, parseProfileText, validateProfile, PROFILE_FORMAT, PROFILE_VERSION,
  type WorkloadProfile, type JobProfile, type MetricGroup, type StepSchedule,
} from './workload-profile.js';
export { runFigures, type RunFigures } from './trace-figures.js';
