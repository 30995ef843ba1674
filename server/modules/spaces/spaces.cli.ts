import type { Command } from 'commander';
import { configFrom, withInstanceFlags } from '@server/cli';
import { LocalBus } from '@server/platform/bus';
import { systemClock } from '@server/platform/clock';
import { migrateToLatest, openDb, isoNow } from '@server/platform/db';
import { newId } from '@server/platform/ids';
import { installDefaults } from '@common/api/spaces';
import { createSpacesRepo } from './spaces.repo';
import {
  getSpaceDefaults,
  noLiveMeetings,
  suggestSlugFor,
  type SpacesContext,
} from './spaces.service';
import { AccessCodeGuard } from './access-guard';
import { spaceUrl } from './spaces.presenter';
import { slug as slugSchema } from '@common/api/spaces';

export interface CreateSpaceCliOptions {
  owner: string;
  name: string;
  slug?: string;
  anyoneCanStart?: boolean;
}

/**
 * `commonhall space create --owner <email> --name <name> [--slug <slug>] [--anyone-can-start]`:
 * creates a space for an existing account and prints its full URL.
 */
export function registerSpaceCommands(program: Command): void {
  const space = program.command('space').description('manage spaces (meeting rooms)');
  withInstanceFlags(
    space
      .command('create')
      .description("create a space for an account and print the space's full URL")
      .requiredOption('--owner <email>', "the owner's e-mail address (an existing account)")
      .requiredOption('--name <name>', "the space's name")
      .option('--slug <slug>', 'the address /s/<slug> (default: suggested from the name)')
      .option('--anyone-can-start', 'the meeting opens without a moderator'),
  ).action(async (flags: CreateSpaceCliOptions & { dataDir?: string; databaseUrl?: string }) => {
    const config = configFrom(flags);
    const db = await openDb(config.database);
    try {
      await migrateToLatest(db.db);
      const repo = createSpacesRepo(db.db);
      const ctx: SpacesContext = {
        repo,
        clock: systemClock,
        config,
        bus: new LocalBus(),
        guard: new AccessCodeGuard(systemClock),
        live: noLiveMeetings,
      };
      const owner = await repo.accountByEmail(flags.owner);
      if (owner === undefined) throw new Error(`No account with the address ${flags.owner}.`);
      const name = flags.name.trim();
      if (name === '' || name.length > 100)
        throw new Error('The name must be 1 to 100 characters.');
      let slug: string;
      if (flags.slug !== undefined) {
        const parsed = slugSchema.safeParse(flags.slug);
        if (!parsed.success) throw new Error(`"${flags.slug}" is not a valid slug.`);
        slug = parsed.data;
        if (await repo.slugExists(slug)) throw new Error(`The address /s/${slug} is taken.`);
      } else {
        slug = await suggestSlugFor(ctx, name);
      }
      const defaults = await getSpaceDefaults(ctx).catch(() => installDefaults);
      const settings = {
        lobby: defaults.lobby.value,
        signInRequired: defaults.signInRequired.value,
        anyoneCanStart:
          defaults.anyoneCanStart.policy === 'optional'
            ? flags.anyoneCanStart === true || defaults.anyoneCanStart.value
            : defaults.anyoneCanStart.policy === 'always_on',
        everyoneJoinsAsModerator: defaults.everyoneJoinsAsModerator.value,
        muteOnJoin: defaults.muteOnJoin.value,
        maxParticipants: defaults.maxParticipants,
        lockCamera: defaults.lockCamera.value,
        lockMicrophone: defaults.lockMicrophone.value,
        lockChat: defaults.lockChat.value,
        lockScreenShare: defaults.lockScreenShare.value,
        keepChat: defaults.keepChat.value,
      };
      if (flags.anyoneCanStart !== true && defaults.anyoneCanStart.policy === 'optional') {
        settings.anyoneCanStart = false;
      }
      const now = isoNow();
      await repo.insert({
        id: newId(),
        slug,
        name,
        description: '',
        ownerId: owner.id,
        settings: JSON.stringify(settings),
        viewerAccessCode: null,
        moderatorAccessCode: null,
        createdAt: now,
        updatedAt: now,
      });
      process.stdout.write(`${spaceUrl(config.publicUrl, slug)}\n`);
    } finally {
      await db.close();
    }
  });
}
