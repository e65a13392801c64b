// Shared with the agent, which names the web-bug tokens in its policies' GetUrl URLs the same way.
export { candidateTokenIds, MAX_PATH_CANDIDATES } from '../../core/token-id-candidates.js';
