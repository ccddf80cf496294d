/** The agent's version, sealed into every evidence entry. Kept in sync with package.json by a test. */
export const AGENT_VERSION = '0.1.0';
