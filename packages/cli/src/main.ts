import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '@unfold/gateway';
import { DEFAULT_FOLD_SEED } from '@unfold/pipelines';
import { UnfoldError } from '@unfold/protocol';
import { evalCommand } from './commands/eval-command.js';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from './commands/keys-command.js';
import { runCommand } from './commands/run-command.js';
import { devCommand } from './commands/dev-command.js';
import { initCommand } from './commands/init-command.js';
import { serveCommand } from './commands/serve-command.js';
import { testCommand } from './commands/test-command.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return parsed;
}

function wholeNumber(minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum) throw new InvalidArgumentError(`a whole number of at least ${minimum}`);
    return parsed;
  };
}

const program = new Command('unfold').description('Run document-extraction pipelines and watch them unfold live.').showHelpAfterError();

program
  .command('serve')
  .description('start the server (PORT, HOST, UNFOLD_DATA_DIR and the other UNFOLD_* variables are read from the environment)')
  .option('-p, --port <port>', 'port to listen on (default: PORT or 8080)', port)
  .option('--host <host>', 'interface to listen on (default: HOST or 127.0.0.1)')
  .option('--demo', 'start a demo run once listening and print how to watch it')
  .option('--pipelines <module...>', 'load your pipelines from these modules (.ts or .js; default: UNFOLD_PIPELINES, else ./unfold.config.ts)')
  .action(serveCommand);

program
  .command('dev')
  .description('serve, and reload your pipelines whenever a file beside their modules changes (clients stay connected)')
  .option('-p, --port <port>', 'port to listen on (default: PORT or 8080)', port)
  .option('--host <host>', 'interface to listen on (default: HOST or 127.0.0.1)')
  .option('--pipelines <module...>', 'your pipeline modules (default: UNFOLD_PIPELINES, else ./unfold.config.ts)')
  .action(devCommand);

program
  .command('init')
  .description('create a project: an example pipeline with its test, unfold.config.ts, and a tsconfig.json for your editor')
  .argument('[directory]', 'where to create it', '.')
  .option('--force', 'write into a directory that is not empty, over any files of the same names')
  .action(initCommand);

program
  .command('test')
  .description("run your pipelines' tests (node:test) on this CLI's packages, as the server loads them")
  .argument('[files...]', 'test files (default: every *.test.ts and *.test.js here and below, outside node_modules and .unfold)')
  .action(testCommand);

program
  .command('run')
  .description('run a pipeline on a file (or - for standard input) and print live progress, then the result as JSON')
  .argument('<pipeline>', 'pipeline name, e.g. demo')
  .argument('[file]', 'input file; JSON for demo; - reads standard input', undefined)
  .option('--server <url>', 'use a running server instead of an embedded one (default: UNFOLD_URL; its API key from UNFOLD_API_KEY)')
  .option('--run-id <id>', 'choose the run id')
  .option('--json', 'print NDJSON events even on a terminal')
  .option('--pipelines <module...>', 'the embedded server loads your pipelines from these modules (default: UNFOLD_PIPELINES, else ./unfold.config.ts)')
  .action(runCommand);

program
  .command('eval')
  .description('score a pipeline on a labelled data set and print precision, recall and F1 per field')
  .argument('<pipeline>', 'receipt or email')
  .requiredOption('--data <dir>', 'receipt: a folder in SROIE format (box/, key/, img/); email: annotated emails (<name>.txt + <name>.txt.ann)')
  .option('--from <input>', 'boxes (the official OCR) or images', 'boxes')
  .option('--ocr <engine>', 'with --from images: the OCR engine, paddle (the default) or tesseract')
  .option('--json', 'print a machine-readable report')
  .option('--strict', 'email: also count what is read from signature and sign-off blocks annotated without their fields as wrong')
  .option('--folds <k>', 'k-fold cross-validation: fit on k-1 folds, score the held-back one; prints held-back figures with the training folds\' beside them', wholeNumber(2))
  .option('--seed <s>', `with --folds: the seed of the split; the same seed and documents give the same folds (default: ${DEFAULT_FOLD_SEED})`, wholeNumber(0))
  .option('--write-calibration <file>', 'receipt: fit the confidence calibration on every receipt of --data and write it as JSON (the pipeline ships packages/pipelines/src/receipt/receipt-calibration.json)')
  .action(evalCommand);

const keys = program.command('keys').description('create, list and revoke API keys, each bound to a tenant (in UNFOLD_DATA_DIR; works while a server runs there)');
keys
  .command('create')
  .description('create a key and print it, once, on standard output')
  .requiredOption('--tenant <name>', 'the tenant the key acts for')
  .option('--label <text>', 'what the key is for, shown by keys list')
  .action(keysCreateCommand);
keys.command('list').description('list keys: id, tenant, label, created, last used, revoked (never the key)').option('--json', 'print JSON').action(keysListCommand);
keys.command('revoke').description('revoke a key: a running server refuses it, and closes its connections, within a second').argument('<id>', 'the key id, e.g. key_1a2b3c4d5e6f').action(keysRevokeCommand);

program.parseAsync().catch((error: unknown) => {
  // A coded error names its code too: scripts and people can look that up.
  const code = UnfoldError.isInstance(error) ? ` (${error.code})` : '';
  process.stderr.write(`unfold: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}${code}\n`);
  process.exitCode = 2;
});
