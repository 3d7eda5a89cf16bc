/** Run facts: command, interpreter, framework, exit, hardware and its check, runner notes. */
import { SEVERITY_WORDS } from '../core/findings/finding';
import { formatBytes, MIB } from '../core/format';
import type { PanelGpu, PanelRunInfo } from '../protocol/webview-messages';
import { fill, h, locationLink, type Child } from './dom';


function entry(label: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

function pcie(gpu: PanelGpu): string {
  if (gpu.pcieGenMax === null) return '';
  const max = `Gen${gpu.pcieGenMax} x${gpu.pcieWidthMax ?? '?'}`;
  if (gpu.pcieGen === null) return ` · PCIe up to ${max}`;
  return ` · PCIe Gen${gpu.pcieGen} x${gpu.pcieWidth ?? '?'} under load (max ${max})`;
}

function hardwareEntries(info: PanelRunInfo): HTMLElement[] {
  const hw = info.hardware;
  if (!hw) return [];
  const gpus = hw.gpus.map((g) => h('div', {}, `${g.index}: ${g.name} · ${formatBytes(g.memTotalMiB === null ? null : g.memTotalMiB * MIB)}${pcie(g)}`));
  const check = info.hardwareCheck.map((issue) =>
    h('div', { class: `check severity-${issue.severity}`, data: { code: issue.code } }, h('span', { class: `badge severity-${issue.severity}` }, SEVERITY_WORDS[issue.severity]), ' ', issue.message),
  );
  return [
    ...entry('CPU', `${hw.cpuModel} · ${hw.physicalCores} cores / ${hw.logicalCores} threads`),
    ...entry('RAM', formatBytes(hw.memTotalBytes)),
    ...entry('GPUs', ...(gpus.length > 0 ? gpus : [hw.gpuNote ?? 'none']), hw.gpus.length > 1 && h('div', {}, `NVLink: ${hw.nvlink === null ? 'unknown' : hw.nvlink ? 'yes' : 'no'}`)),
    ...entry('Hardware check', ...(check.length > 0 ? check : [h('span', { class: 'muted' }, 'no issues found')])),
  ];
}

export function renderRunInfo(root: HTMLElement, info: PanelRunInfo): void {
  const fw = info.framework;
  const sampling = info.sampleHz !== null && `line sampling at ${info.sampleHz} Hz${info.longRun ? `, ${info.longRun.sampleHz} Hz after ${info.longRun.afterS} s` : ''}`;
  const runner = [info.runner, info.runtime, sampling].filter(Boolean).join(' · ');
  const exit = info.signal ? `signal ${info.signal}` : info.exitCode !== null ? `exit code ${info.exitCode}` : null;
  const error = info.error;
  // The host also logs why there is no GPU telemetry as a note; the GPUs entry already says it.
  const notes = info.notes.filter((n) => n !== info.hardware?.gpuNote);
  fill(
    root,
    h('h2', {}, 'Run'),
    h('dl', { class: 'facts' },
      ...entry('Command', h('code', {}, info.command.join(' ') || '–')),
      ...entry('Directory', h('code', {}, info.cwd || '–')),
      ...(info.startedAtMs !== null ? entry('Started', new Date(info.startedAtMs).toLocaleString()) : []),
      ...entry('Runner', runner || '–'),
      ...entry('Framework', fw ? `${fw.name} ${fw.version}${fw.package ? ` (${fw.package})` : ''} on ${fw.device}${fw.deviceTiming ? ' · device timing' : ''}` : 'not seen yet'),
      ...(exit ? entry('Exit', exit) : []),
      ...(error ? entry('Error', `${error.excType}: ${error.message}`, error.location && ' at ', error.location && locationLink(error.location)) : []),
      ...hardwareEntries(info),
      ...(notes.length > 0 ? entry('Notes', ...notes.map((n) => h('div', {}, n))) : []),
    ),
  );
}
