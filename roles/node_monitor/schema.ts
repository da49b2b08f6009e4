/** JSON schema of the node_monitor parameters. */
import { absPath, paramSchema, port } from '../../src/api/params.js';
import type { NodeMonitorParams } from './defaults.js';
export const schema = paramSchema<NodeMonitorParams>({
    node_exporter_enabled: { type: 'boolean' },
    node_exporter_port: port,
    node_exporter_options: { type: 'string', pattern: '^[^"\\\\$`]*$' },
    node_exporter_textfile_dir: absPath,
});
