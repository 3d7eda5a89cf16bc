/** package.json's contributions against the code that relies on them. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS, CONTEXT_KEYS } from '../../src/core/editor-view/commands';
import { HEAT_BACKGROUND_COLORS, HEAT_RULER_COLOR, INLINE_FOREGROUND_COLOR } from '../../src/core/editor-view/heat';
import { QUICK_FIX_LANGUAGES } from '../../src/core/editor-view/quick-fixes';
import { SCRIPT_EXTNAME_WHEN, scriptKind } from '../../src/core/editor-view/script-kind';
import { RESTRICTED_SETTINGS, SETTING_DEFAULTS, SETTING_LIMITS, SETTINGS_SECTION, type SettingKey } from '../../src/core/editor-view/settings-defaults';

interface SettingSchema {
  type: string;
  default: unknown;
  scope?: string;
  markdownDescription?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
}
interface MenuItem {
  command: string;
  when?: string;
}
interface Manifest {
  main: string;
  activationEvents?: string[];
  capabilities: { untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    menus: Record<string, MenuItem[]>;
    configuration: { properties: Record<string, SettingSchema> };
    colors: Array<{ id: string; defaults: Record<string, string> }>;
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;
const settingKeys = Object.keys(SETTING_DEFAULTS) as SettingKey[];

describe('package.json contributions', () => {
  it('contributes exactly the settings the code reads, with the same defaults and limits', () => {
    assert.deepEqual(Object.keys(properties).sort(), settingKeys.map((k) => `${SETTINGS_SECTION}.${k}`).sort());
    for (const key of settingKeys) {
      const schema = properties[`${SETTINGS_SECTION}.${key}`];
      assert.deepEqual(schema?.default, SETTING_DEFAULTS[key], key);
      assert.equal(schema?.minimum, SETTING_LIMITS[key]?.min, `${key} minimum`);
      assert.equal(schema?.maximum, SETTING_LIMITS[key]?.max, `${key} maximum`);
    }
  });

  it('gives every setting a scope and a markdownDescription, and enum descriptions that match their enums', () => {
    for (const [key, schema] of Object.entries(properties)) {
      assert.ok(schema.scope, `${key} has no scope`);
      assert.ok(schema.markdownDescription && schema.markdownDescription.length > 20, `${key} has no markdownDescription`);
      if (schema.enum) assert.equal((schema.markdownEnumDescriptions ?? schema.enumDescriptions)?.length, schema.enum.length, key);
    }
  });

  it('restricts the executable, path, argument and environment settings in untrusted workspaces', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.match(trust.description, /recordings/);
    assert.deepEqual([...trust.restrictedConfigurations].sort(), RESTRICTED_SETTINGS.map((k) => `${SETTINGS_SECTION}.${k}`).sort());
  });

  it('contributes exactly the commands the code registers, and menus name only those', () => {
    const ids = Object.values(COMMANDS).sort();
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), ids);
    for (const command of manifest.contributes.commands) assert.equal(command.category, 'TrainLens');
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok((ids as string[]).includes(item.command), `${menu}: ${item.command}`);
    }
  });

  it('offers Profile Training in the run menu and the Explorer for the files it accepts', () => {
    for (const menu of ['editor/title/run', 'explorer/context']) {
      const item = manifest.contributes.menus[menu]?.find((i) => i.command === COMMANDS.profile);
      assert.ok(item?.when?.includes(SCRIPT_EXTNAME_WHEN), menu);
    }
    const regex = /\/(.+)\/$/.exec(SCRIPT_EXTNAME_WHEN.split('=~ ')[1] ?? '')?.[1];
    assert.ok(regex);
    for (const file of ['train.py', 'train.js', 'train.mjs', 'train.cjs', 'train.ts', 'train.mts', 'data.csv', 'train.pyc']) {
      assert.equal(new RegExp(regex).test(path.extname(file)), scriptKind(file) !== undefined, file);
    }
  });

  it('offers Re-run and Compare in the palette only when there is a finished run and none in progress', () => {
    const command = manifest.contributes.commands.find((c) => c.command === COMMANDS.rerunAndCompare);
    assert.equal(`${command?.category}: ${command?.title}`, 'TrainLens: Re-run and Compare');
    const item = manifest.contributes.menus.commandPalette?.find((i) => i.command === COMMANDS.rerunAndCompare);
    assert.equal(item?.when, CONTEXT_KEYS.canRerun);
  });

  it('uses its context keys in when clauses', () => {
    const whens = Object.values(manifest.contributes.menus).flat().map((i) => i.when ?? '');
    for (const key of Object.values(CONTEXT_KEYS)) assert.ok(whens.some((w) => w.includes(key)), key);
  });

  it('contributes every colour the decorations use, for every theme kind', () => {
    const colors = new Map(manifest.contributes.colors.map((c) => [c.id, c.defaults]));
    for (const id of [...HEAT_BACKGROUND_COLORS, HEAT_RULER_COLOR, INLINE_FOREGROUND_COLOR]) {
      assert.deepEqual(Object.keys(colors.get(id) ?? {}).sort(), ['dark', 'highContrast', 'highContrastLight', 'light'], id);
    }
  });

  it('activates through its contributions, and on the languages it offers quick fixes for before any run', () => {
    assert.deepEqual(manifest.activationEvents ?? [], QUICK_FIX_LANGUAGES.map((language) => `onLanguage:${language}`));
    assert.equal(manifest.main, './dist/extension.js');
  });
});
