/** JSON schema of the node_monitor parameters. */
export const schema = {
  type: 'object',
  properties: {
    node_exporter_enabled: { type: 'boolean' },
    node_exporter_port: { type: 'integer', minimum: 1, maximum: 65535 },
    node_exporter_options: { type: 'string', pattern: '^[^"\\\\$`]*$' },
    node_exporter_textfile_dir: { type: 'string', pattern: '^/[^\\s"\\\\$`]+$' },
  },
} as const;
