export { createMockView } from './view.js';
export { isIoredisMock, type IoredisMockLike } from './internals.js';
export { MockUnsupportedCommandError } from './errors.js';
export { MOCK_UNSUPPORTED_COMMANDS, MOCK_UNSUPPORTED_OPTIONS } from './unsupported-commands.js';
export { observeMockCommands, rawMockOf, type MockCommandEvent, type MockCommandObserver } from './view-state.js';
export { mockBookkeepingKeys } from './mock-quirks.js';
