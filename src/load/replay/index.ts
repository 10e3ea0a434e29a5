/** Replaying recorded or preset training jobs as a scenario. */
export { loadReplayScenario, presetRef, withReplaySpeed, isReplayRef, readWorkload, PRESETS, REPLAY_PREFIX } from './replay-source.js';
export { replayScenario, type ReplayOptions } from './replay-scenario.js';
export { timelineOf, stepsOf, type JobTimeline } from './job-timeline.js';
