/** template: a Handlebars file rendered on the controller, then written like copy. */
import type { Action, Vars } from '../api/types.js';
import { renderTemplate } from '../api/templating.js';
import { defineModule } from './common.js';
import { ensureFile, readFile, type WriteOptions } from './copy.js';

export interface TemplateArgs extends WriteOptions {
  /** Absolute path of the `.hbs` file on the controller (see fileBeside). */
  src: string;
  dest: string;
  vars: Vars;
}

export const templateModule = defineModule<TemplateArgs>('template', async (args, ctx) => {
  const content = Buffer.from(renderTemplate(args.src, args.vars));
  const before = await readFile(ctx, args.dest, ctx.diff && !args.secret);
  return ensureFile(ctx, args.dest, content, args, before);
}, ['vars']);

/** A file rendered from a Handlebars template with `vars`. */
export function template(args: TemplateArgs): Action<TemplateArgs> {
  return { module: templateModule, args };
}
