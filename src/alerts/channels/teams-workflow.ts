import { httpChannel } from './http-channel.js';
import { parseJson, textAt } from './service-answer.js';
import { teamsPayload } from './teams.js';

/**
 * Microsoft Teams through a Power Automate workflow ("When a Teams webhook request is received",
 * then "Post card in a chat or channel"), the replacement for Office 365 connectors: the body is a
 * message whose attachments hold one Adaptive Card (version 1.4, what the action renders), and
 * the workflow answers 202. Unlike the `teams` kind, a refusal goes dead at once with the reason
 * the Logic Apps endpoint gives.
 */
export const teamsWorkflowChannel = httpChannel({
  kind: 'teams-workflow',
  title: 'Microsoft Teams Workflows (Power Automate webhook)',
  render: teamsPayload,
  // Errors are {"error": {"code": "...", "message": "..."}}.
  api: { reason: (text) => textAt(parseJson(text), ['error', 'message'], ['error', 'code']) },
});
