import { Command, Option } from 'commander';
import { fleetPolicyCommands } from './fleet-policy.js';
import { ValidationError } from '../../core/errors.js';
import { checkPolicyFiles, GENERATE_ACTIONS, generatePolicy, type GenerateAccess, type GenerateAction } from '../../policy/index.js';
import type { TokenView } from '../../tokens/service.js';
import { clientFor, collect } from '../context.js';
import { printJson, safeText } from '../output.js';

interface GenerateFlags {
  token: string;
  path: string;
  access: GenerateAccess;
  action?: string[];
  mode?: 'enforce' | 'monitor';
  name?: string;
}

function actionName(value: string): GenerateAction {
  const name = value.toLowerCase() as GenerateAction;
  if (!GENERATE_ACTIONS.includes(name)) throw new ValidationError(`unknown action "${value}"; expected one of ${GENERATE_ACTIONS.join(', ')}`);
  return name;
}

/** What a token kind's policy does when no --action is given: fire the token's own trigger. */
function defaultActions(token: TokenView): GenerateAction[] {
  if (token.kind === 'http' && token.url) return ['geturl'];
  if (token.kind === 'dns' && token.hostname) return ['dnslookup'];
  return ['post'];
}

export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'Check and generate TracingPolicy files for the agent; apply, list and delete the central policies the server hands to agents.',
  );

  policy
    .command('check')
    .description('Validate policy files as the agent loads them; prints FILE:LINE:COL: FIELD: message per problem and exits 1 on errors.')
    .argument('<file...>', 'policy files (YAML, several documents per file allowed)')
    .option('--json', 'print JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const result = await checkPolicyFiles(files);
      if (options.json) {
        printJson({
          ok: result.ok,
          errors: result.errors.map((e) => e.format()),
          warnings: result.warnings.map((e) => e.format()),
          policies: result.policies,
        });
      } else {
        for (const problem of [...result.errors, ...result.warnings]) process.stdout.write(`${safeText(problem.format())}\n`);
        for (const p of result.policies) {
          const watches = p.watches.map((w) => (w.match === 'prefix' ? `${w.path}*` : w.path)).join(', ');
          process.stdout.write(
            `ok ${p.name} (${p.file}): ${p.hooks.join(', ')} on ${watches}; actions ${p.actions.join(', ')}${p.mode === 'monitor' ? ' (monitor mode)' : ''}\n`,
          );
        }
        process.stdout.write(result.ok ? `${result.policies.length} policies, no errors\n` : `${result.errors.length} error(s)\n`);
      }
      if (!result.ok) process.exitCode = 1;
    });

  policy
    .command('generate')
    .description(
      "Print a policy that watches PATH for a token: for a web-bug (http) token, the tutorial's GetUrl policy with the token URL; for a dns token, DnsLookup of its name; otherwise Post (reported through the agent).",
    )
    .requiredOption('--token <id>', 'token id (fetched from the server: --server, --key)')
    .requiredOption('--path <path>', 'absolute path of the decoy to watch')
    .addOption(new Option('--access <access>', 'which accesses fire').choices(['read', 'write', 'any']).default('any'))
    .option('--action <action>', `action to take (repeatable): ${GENERATE_ACTIONS.join(', ')}; default depends on the token kind`, collect)
    .addOption(new Option('--mode <mode>', 'policy-mode: monitor reports without enforcing').choices(['enforce', 'monitor']))
    .option('--name <name>', 'policy name (default tripline-<token>)')
    .action(async (flags: GenerateFlags, command: Command) => {
      const token = await clientFor(command).get<TokenView>(`/tokens/${encodeURIComponent(flags.token)}`);
      const yaml = generatePolicy({
        tokenId: token.id,
        path: flags.path,
        access: flags.access,
        tokenUrl: token.url ?? undefined,
        tokenHostname: token.hostname ?? undefined,
        actions: flags.action ? flags.action.map(actionName) : defaultActions(token),
        ...(flags.mode ? { mode: flags.mode } : {}),
        ...(flags.name ? { name: flags.name } : {}),
      });
      process.stdout.write(yaml);
    });

  for (const sub of fleetPolicyCommands()) policy.addCommand(sub);
  return policy;
}
