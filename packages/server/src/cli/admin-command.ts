// `activator admin users|credentials|roles …`: account administration straight on the store (SPEC §12).
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { generatePassword } from '../domain/access/secrets.js';
import { SYSTEM_ACTOR } from '../domain/runtime.js';
import { credentialJson } from '../http/routes/admin-credential-routes.js';
import { roleJson } from '../http/routes/admin-role-routes.js';
import { userJson } from '../http/routes/session-routes.js';
import { openRuntime, type Runtime } from '../main.js';
import { CliError, printJson, printTable } from './output.js';

async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(loadConfig(process.env), { migrate: true });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

async function roleIdsOf(runtime: Runtime, names: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const role = await runtime.services.roles.find(name);
    if (role === undefined) throw new CliError(`Unknown role '${name}'. List roles with: activator admin roles list`);
    ids.push(role.id);
  }
  return ids;
}

function audit(runtime: Runtime, action: string, objectType: string, objectId: string, details: unknown): Promise<unknown> {
  return runtime.services.audit.record({ actor: SYSTEM_ACTOR, sandbox: null, action, objectType, objectId, outcome: 'success', details: { ...(details as object), via: 'cli' } });
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function registerUserCommands(admin: Command): void {
  const users = admin.command('users').description('manage web UI users');
  users.command('list').description('list users').option('--json', 'machine-readable output').action(async (options: { json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const page = await runtime.services.users.list(200, undefined);
      const roles = await runtime.services.roles.list();
      const roleName = (id: string) => roles.find((role) => role.id === id)?.name ?? id;
      if (options.json === true) return printJson(page.items.map(userJson));
      printTable(['E-mail', 'Name', 'Admin', 'Roles', 'Disabled', 'Last login'], page.items.map((u) => [
        u.email, u.name, u.admin ? 'yes' : '', u.roleIds.map(roleName).join(', '), u.disabled ? 'yes' : '',
        u.lastLoginAt === null ? 'never' : new Date(u.lastLoginAt).toISOString(),
      ]));
    });
  });
  users.command('create').description('create a user (prints a generated password when none is given)')
    .requiredOption('--email <email>', 'e-mail address (the login)')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'password (at least 12 characters); generated when absent')
    .option('--role <role>', 'role name or id (repeatable)', collect, [])
    .option('--admin', 'make the user an admin')
    .option('--json', 'machine-readable output')
    .action(async (options: { email: string; name?: string; password?: string; role: string[]; admin?: boolean; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const created = await runtime.services.users.create({
          email: options.email, name: options.name, password: options.password, admin: options.admin === true, roleIds: await roleIdsOf(runtime, options.role),
        });
        await audit(runtime, 'user.create', 'user', created.id, { email: created.email, admin: created.admin });
        if (options.json === true) return printJson({ ...userJson(created), ...(created.initialPassword === undefined ? {} : { initialPassword: created.initialPassword }) });
        process.stdout.write(`Created user ${created.email} (${created.id})\n`);
        if (created.initialPassword !== undefined) process.stdout.write(`Initial password (shown once): ${created.initialPassword}\n`);
      });
    });
  const setState = (name: string, disabled: boolean) =>
    users.command(`${name} <user>`).description(`${name} a user (id or e-mail)`).action(async (ref: string) => {
      await withRuntime(async (runtime) => {
        const user = await runtime.services.users.find(ref);
        if (user === undefined) throw new CliError(`No user '${ref}'`);
        await runtime.services.users.update(user.id, { disabled });
        await audit(runtime, 'user.update', 'user', user.id, { disabled });
        process.stdout.write(`${disabled ? 'Disabled' : 'Enabled'} ${user.email}\n`);
      });
    });
  setState('disable', true);
  setState('enable', false);
  users.command('set-password <user>').description('set a user\'s password (generated and printed when --password is absent)')
    .option('--password <password>', 'the new password (at least 12 characters)')
    .action(async (ref: string, options: { password?: string }) => {
      await withRuntime(async (runtime) => {
        const user = await runtime.services.users.find(ref);
        if (user === undefined) throw new CliError(`No user '${ref}'`);
        const password = options.password ?? generatePassword();
        await runtime.services.users.update(user.id, { password });
        await audit(runtime, 'user.update', 'user', user.id, { password });
        process.stdout.write(options.password === undefined ? `New password for ${user.email} (shown once): ${password}\n` : `Password of ${user.email} changed\n`);
      });
    });
  users.command('grant <user>').description('add roles to a user').option('--role <role>', 'role name or id (repeatable)', collect, [])
    .action(async (ref: string, options: { role: string[] }) => {
      if (options.role.length === 0) throw new CliError('Give at least one --role');
      await withRuntime(async (runtime) => {
        const user = await runtime.services.users.find(ref);
        if (user === undefined) throw new CliError(`No user '${ref}'`);
        const roleIds = [...user.roleIds, ...(await roleIdsOf(runtime, options.role))];
        await runtime.services.users.update(user.id, { roleIds });
        await audit(runtime, 'user.update', 'user', user.id, { roleIds });
        process.stdout.write(`Granted ${options.role.join(', ')} to ${user.email}\n`);
      });
    });
}

function registerCredentialCommands(admin: Command): void {
  const credentials = admin.command('credentials').description('manage API credentials (client id + secret)');
  credentials.command('list').description('list credentials').option('--json', 'machine-readable output').action(async (options: { json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const page = await runtime.services.credentials.list(200, undefined);
      if (options.json === true) return printJson(page.items.map(credentialJson));
      printTable(['Name', 'Client id', 'Admin', 'Disabled', 'Created', 'Last used'], page.items.map((c) => [
        c.name, c.clientId, c.admin ? 'yes' : '', c.disabled ? 'yes' : '', new Date(c.createdAt).toISOString(),
        c.lastUsedAt === null ? 'never' : new Date(c.lastUsedAt).toISOString(),
      ]));
    });
  });
  credentials.command('create').description('create a credential; prints its client id and secret once')
    .requiredOption('--name <name>', 'a name that says who uses it')
    .option('--role <role>', 'role name or id (repeatable)', collect, [])
    .option('--admin', 'give the credential the admin flag')
    .option('--json', 'print the credential object with clientSecret')
    .action(async (options: { name: string; role: string[]; admin?: boolean; json?: boolean }) => {
      if (options.role.length === 0 && options.admin !== true) throw new CliError('Give --role <role> (repeatable) or --admin');
      await withRuntime(async (runtime) => {
        const created = await runtime.services.credentials.create({ name: options.name, admin: options.admin === true, roleIds: await roleIdsOf(runtime, options.role) });
        await audit(runtime, 'credential.create', 'credential', created.id, { name: created.name, admin: created.admin });
        if (options.json === true) return printJson({ ...credentialJson(created), clientSecret: created.clientSecret });
        process.stdout.write(`Created credential ${created.name}\n  client id:     ${created.clientId}\n  client secret: ${created.clientSecret}\n(the secret is shown once; store it now)\n`);
      });
    });
  credentials.command('revoke <credential>').description('delete a credential (id, client id or name) and revoke its tokens').action(async (ref: string) => {
    await withRuntime(async (runtime) => {
      const credential = await runtime.services.credentials.find(ref);
      if (credential === undefined) throw new CliError(`No credential '${ref}'`);
      await runtime.services.credentials.delete(credential.id);
      await audit(runtime, 'credential.delete', 'credential', credential.id, { name: credential.name });
      process.stdout.write(`Revoked ${credential.name} (${credential.clientId})\n`);
    });
  });
  credentials.command('rotate <credential>').description('issue a new secret; the old one and its tokens stop working')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const credential = await runtime.services.credentials.find(ref);
        if (credential === undefined) throw new CliError(`No credential '${ref}'`);
        const rotated = await runtime.services.credentials.rotateSecret(credential.id);
        await audit(runtime, 'credential.rotate', 'credential', credential.id, {});
        if (options.json === true) return printJson({ ...credentialJson(rotated), clientSecret: rotated.clientSecret });
        process.stdout.write(`New secret for ${rotated.name} (${rotated.clientId}): ${rotated.clientSecret}\n`);
      });
    });
}

/** Adds `admin` and its sub-commands to the program. */
export function registerAdminCommand(program: Command): void {
  const admin = program.command('admin').description('administer users, API credentials and roles (works directly on the store)');
  registerUserCommands(admin);
  registerCredentialCommands(admin);
  admin.command('roles').description('roles and their permissions').command('list').description('list roles').option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const roles = await runtime.services.roles.list();
        if (options.json === true) return printJson(roles.map(roleJson));
        printTable(['Name', 'Sandboxes', 'Permissions', 'Built in', 'Id'], roles.map((r) => [r.name, r.sandboxes.join(', '), r.permissions.join('\n'), r.builtIn ? 'yes' : '', r.id]));
      });
    });
}
