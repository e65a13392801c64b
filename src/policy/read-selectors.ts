import type { Cursor } from './reader.js';
import type { ArgFilter, ArgSpec, BinaryFilter, HookSpec, PidFilter, Selector } from './model.js';
import { isPathValued, type HookInfo } from './hooks.js';
import { readActions } from './read-actions.js';
import { ARG_OPERATORS, BINARY_OPERATORS, INT_OPERATORS, PATH_OPERATORS, PID_OPERATORS, canonicalName, parseIntegerValue } from './operators.js';

// Limits from Tetragon's selector compiler, kept so a policy that loads here loads there too.
export const MAX_SELECTORS = 5;
const MAX_MATCH_ARGS = 5;
const MAX_MATCH_BINARIES = 1;
const MAX_PID = 0xffffffff;

const SELECTOR_FIELDS = ['matchArgs', 'matchBinaries', 'matchParentBinaries', 'matchPIDs', 'matchActions', 'label'];

export function readSelectors(list: Cursor, hook: HookInfo, args: ArgSpec[]): HookSpec['selectors'] {
  const items = list.items() ?? [];
  if (items.length > MAX_SELECTORS) list.error(`at most ${MAX_SELECTORS} selectors per hook, got ${items.length}`);
  const selectors: Selector[] = [];
  for (const item of items) {
    const fields = item.fields(SELECTOR_FIELDS);
    if (!fields) continue;
    const label = fields.get('label');
    if (label.present) label.string();
    selectors.push({
      matchArgs: readArgFilters(fields.get('matchArgs'), hook, args),
      matchBinaries: readBinaryFilters(fields.get('matchBinaries')),
      matchParentBinaries: readBinaryFilters(fields.get('matchParentBinaries')),
      matchPIDs: readPidFilters(fields.get('matchPIDs')),
      matchActions: readActions(fields.get('matchActions')),
      field: item.field,
      pos: item.pos,
    });
  }
  return selectors;
}

function readArgFilters(list: Cursor, hook: HookInfo, args: ArgSpec[]): ArgFilter[] {
  const items = list.items() ?? [];
  if (items.length > MAX_MATCH_ARGS) list.error(`at most ${MAX_MATCH_ARGS} matchArgs per selector, got ${items.length}`);
  const filters: ArgFilter[] = [];
  for (const item of items) {
    const filter = readArgFilter(item, hook, args);
    if (filter) filters.push(filter);
  }
  return filters;
}

function readArgFilter(item: Cursor, hook: HookInfo, args: ArgSpec[]): ArgFilter | undefined {
  const fields = item.fields(['index', 'operator', 'values']);
  if (!fields) return undefined;
  const indexAt = fields.require('index');
  const operatorAt = fields.require('operator');
  const valuesAt = fields.require('values');
  const index = indexAt?.integer(0, MAX_PID);
  const written = operatorAt?.string();
  const texts = valuesAt ? readTexts(valuesAt) : undefined;
  if (!indexAt || !operatorAt || !valuesAt || index === undefined || written === undefined || !texts) {
    return undefined;
  }
  const operator = canonicalName(written, ARG_OPERATORS);
  if (!operator) {
    return operatorAt.error(`unknown operator ${JSON.stringify(written)}; supported: ${ARG_OPERATORS.join(', ')}`);
  }
  // Tetragon resolves matchArgs.index against the `index` of the args entries.
  const arg = args.find((a) => a.index === index);
  if (!arg) {
    const declared = args.map((a) => a.index).join(', ') || 'none';
    return indexAt.error(`no args entry has index ${index} (declared: ${declared})`);
  }
  if (arg.type === 'nop') return indexAt.error(`argument ${index} is declared nop: it is not read, so it cannot be matched`);
  if (isPathValued(arg.type)) {
    if (!PATH_OPERATORS.includes(operator)) {
      return operatorAt.error(`${operator} does not apply to the ${arg.type} argument; supported: ${PATH_OPERATORS.join(', ')}`);
    }
    if (!['Postfix', 'NotPostfix'].includes(operator)) {
      const relative = texts.findIndex((t) => !t.text.startsWith('/'));
      if (relative >= 0) {
        return texts[relative]!.at.error(`must be an absolute path: ${operator} compares the whole path from /`);
      }
    }
    return { index, operator, values: texts.map((t) => t.text), numbers: [] };
  }
  if (hook.params[index] !== 'mask') {
    return indexAt.error(
      `argument ${index} of ${hook.name} (${hook.params[index]}) is not observable by the fanotify sensor; only the file and the access mask can be matched`,
    );
  }
  if (!INT_OPERATORS.includes(operator)) {
    return operatorAt.error(`${operator} does not apply to the ${arg.type} argument; supported: ${INT_OPERATORS.join(', ')}`);
  }
  const numbers: number[] = [];
  for (const { text, at } of texts) {
    const n = parseIntegerValue(text);
    if (n === undefined) return at.error(`expected an integer (decimal, 0x hex or 0 octal), got ${JSON.stringify(text)}`);
    numbers.push(n);
  }
  return { index, operator, values: texts.map((t) => t.text), numbers };
}

function readBinaryFilters(list: Cursor): BinaryFilter[] {
  const items = list.items() ?? [];
  if (items.length > MAX_MATCH_BINARIES) {
    list.error(`at most ${MAX_MATCH_BINARIES} entry per selector, as in Tetragon: put the values in one entry`);
  }
  const filters: BinaryFilter[] = [];
  for (const item of items) {
    const fields = item.fields(['operator', 'values', 'followChildren']);
    const operatorAt = fields?.require('operator');
    const written = operatorAt?.string();
    const valuesAt = fields?.require('values');
    const texts = valuesAt ? readTexts(valuesAt) : undefined;
    const followChildren = fields?.flag('followChildren');
    if (!operatorAt || written === undefined || !texts || followChildren === undefined) continue;
    const operator = canonicalName(written, BINARY_OPERATORS);
    if (!operator) {
      operatorAt.error(`unknown operator ${JSON.stringify(written)}; supported: ${BINARY_OPERATORS.join(', ')}`);
      continue;
    }
    if (followChildren && operator !== 'In' && operator !== 'NotIn') {
      fields?.get('followChildren').error(`followChildren works with In and NotIn only, not ${operator}`);
      continue;
    }
    if (operator === 'In' || operator === 'NotIn') {
      for (const t of texts) {
        if (!t.text.startsWith('/')) t.at.warn(`${operator} compares the whole binary path; ${JSON.stringify(t.text)} never equals one`);
      }
    }
    filters.push({ operator, values: texts.map((t) => t.text), followChildren });
  }
  return filters;
}

function readPidFilters(list: Cursor): PidFilter[] {
  const filters: PidFilter[] = [];
  for (const item of list.items() ?? []) {
    const fields = item.fields(['operator', 'values', 'isNamespacePID', 'followForks']);
    const operatorAt = fields?.require('operator');
    const written = operatorAt?.string();
    const valuesAt = fields?.require('values');
    const values = valuesAt?.items()?.map((v) => v.integer(0, MAX_PID));
    const isNamespacePID = fields?.flag('isNamespacePID');
    const followForks = fields?.flag('followForks');
    if (!operatorAt || written === undefined || !values || values.includes(undefined)) continue;
    if (isNamespacePID === undefined || followForks === undefined) continue;
    const operator = canonicalName(written, PID_OPERATORS);
    if (!operator) {
      operatorAt.error(`unknown operator ${JSON.stringify(written)}; supported: ${PID_OPERATORS.join(', ')}`);
      continue;
    }
    if (values.length === 0) {
      valuesAt?.error('needs at least one value');
      continue;
    }
    filters.push({ operator, values: values as number[], isNamespacePID, followForks });
  }
  return filters;
}

/** A non-empty list of values, each with its cursor for pointed messages. */
function readTexts(list: Cursor): { text: string; at: Cursor }[] | undefined {
  const items = list.items();
  if (!items) return undefined;
  if (items.length === 0) return list.error('needs at least one value');
  const texts: { text: string; at: Cursor }[] = [];
  for (const at of items) {
    const text = at.text();
    if (text === undefined) return undefined;
    texts.push({ text, at });
  }
  return texts;
}
