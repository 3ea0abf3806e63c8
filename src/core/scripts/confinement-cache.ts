import type { CommandLookup } from '../command-table.js';
import type { NamespaceSet } from '../namespace-set.js';
import { luaCommandCodes, luaCommandTable } from './lua-command-table.js';
import { ScriptConfinement } from './script-confinement.js';

/** Above this many other listed namespaces, a script's keys are not checked against each of them (they still get the prefix). */
const EMBEDDED_NAMESPACES = 1000;

const cache = new WeakMap<CommandLookup, WeakMap<NamespaceSet, Map<string, ScriptConfinement>>>();

/**
 * The script confinement of one namespace and mode: one per process for each namespace set and
 * command table, so that every view of the namespace knows the SHAs any of them sent.
 */
export function scriptConfinementOf(
  set: NamespaceSet,
  namespace: string,
  mode: 'prefix' | 'strict',
  table: CommandLookup,
  prefix: string,
  patternPrefix: string,
): ScriptConfinement {
  let bySet = cache.get(table);
  if (bySet === undefined) cache.set(table, (bySet = new WeakMap()));
  let byName = bySet.get(set);
  if (byName === undefined) bySet.set(set, (byName = new Map()));
  const key = `${mode}\0${namespace}`;
  let confinement = byName.get(key);
  if (confinement === undefined) {
    const others = set.names.filter((name) => name !== namespace);
    confinement = new ScriptConfinement({
      namespace,
      prefix,
      patternPrefix,
      separator: set.separator,
      hashTag: set.hashTag,
      strict: mode === 'strict',
      table: luaCommandTable(table),
      codes: luaCommandCodes(table),
      others: others.length > EMBEDDED_NAMESPACES ? undefined : others,
      familyStems: set.familyStems(),
      handPrefixes: set.handPrefixes(),
    });
    byName.set(key, confinement);
  }
  return confinement;
}
