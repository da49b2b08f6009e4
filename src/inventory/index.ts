/** Inventory: loading (YAML/INI), host patterns, variable precedence, extra vars, schema checks. */
export { loadInventory, parseInventory } from './load.js';
export { selectHosts, splitHostPattern, type HostOrder, type Selection, type SelectOptions } from './patterns.js';
export { hostVars, inventoryVars, groupNames, groupHosts, type VarLayers, type MergedVars } from './vars.js';
export { parseExtraVars } from './extra-vars.js';
export { coerceKeyValues } from './coerce-key-values.js';
export { validateHostVars } from './validate.js';
export type { Inventory, Group, Host, VarSource } from './types.js';
