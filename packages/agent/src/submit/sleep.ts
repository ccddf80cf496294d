// The one abortable sleep of the agent lives in http/; delivery and its callers keep importing it from here.
export { abortableSleep, type Sleep } from '../http/sleep.js';
