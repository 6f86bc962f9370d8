/**
 * The mesh map: this node in the middle, its neighbours around it (edge
 * colour by SNR, labels with RSSI/SNR and when last heard), the routes it
 * knows, and per link the airtime, duty-cycle and channel use, from
 * GET /status (seams/node-status.ts), refreshed every few seconds.
 */
import type { NodeStatusReport } from '../../../seams/node-status.ts';
import type { Texts } from '../i18n.ts';
import { h, replace, svg } from './dom.ts';

const SIZE = 320;

function label(id: string | undefined, hint: number): string {
  return id ? id.slice(0, 8) : `#${hint.toString(16).padStart(2, '0')}`;
}

/** Good links green, marginal orange, poor red (LoRa demodulates down to about -20 dB SNR at SF12). */
function quality(snr: number | undefined): string {
  if (snr === undefined) return 'unknown';
  return snr >= 0 ? 'good' : snr >= -10 ? 'fair' : 'poor';
}

function graph(tx: Texts, s: NodeStatusReport, now: number): SVGElement {
  const c = SIZE / 2;
  const ns = s.router.neighbours;
  const parts: SVGElement[] = [];
  ns.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, ns.length) - Math.PI / 2;
    const x = c + Math.cos(a) * (c - 50);
    const y = c + Math.sin(a) * (c - 50);
    const ago = Math.max(0, Math.round((now - n.lastHeardMs) / 1000));
    parts.push(svg('line', { x1: c, y1: c, x2: x, y2: y, class: `edge ${quality(n.snrDb)}` }));
    parts.push(svg('g', { class: 'neighbour', 'data-node': n.nodeId ?? '' },
      svg('circle', { cx: x, cy: y, r: 14 }),
      svg('text', { x, y: y - 20, 'text-anchor': 'middle' }, label(n.nodeId, n.hint)),
      svg('text', { x, y: y + 28, 'text-anchor': 'middle', class: 'small' },
        `${n.rssiDbm ?? '?'} dBm ${n.snrDb ?? '?'} dB · ${tx.t('secondsAgo', { n: ago })}`)));
  });
  parts.push(svg('g', { class: 'self' }, svg('circle', { cx: c, cy: c, r: 18 }), svg('text', { x: c, y: c + 4, 'text-anchor': 'middle' }, s.nodeId.slice(0, 6))));
  return svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, class: 'map', role: 'img', 'aria-label': tx.t('meshTitle') }, ...parts);
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** What GET /where answers: the node's mDNS name when it announces one, and every address phones can type. */
export interface NodeWhere {
  readonly mdnsHost?: string;
  readonly urls: readonly string[];
}

export function renderMesh(root: Element, tx: Texts, s: NodeStatusReport, now: number, where?: NodeWhere): void {
  const n = s.router.neighbours;
  replace(root,
    h('h2', {}, tx.t('meshTitle')),
    h('p', {}, `${tx.t('node')} `, h('code', {}, s.nodeId), ` · ${tx.t('uptime')} ${Math.round(s.uptimeMs / 60000)} min`),
    where && where.urls.length > 0 && h('p', { class: 'node-address' }, tx.t('reachAt'), ' ',
      ...where.urls.flatMap((u, i) => [i > 0 ? ' · ' : '', h('code', { dir: 'ltr', class: u.includes('.local') ? 'mdns' : 'ip' }, u)])),
    graph(tx, s, now),
    h('h3', {}, `${tx.t('neighbours')} (${n.length})`),
    n.length === 0 ? h('p', { class: 'muted' }, tx.t('noNeighbours')) : h('ul', { class: 'neighbours' }, ...n.map((x) => h('li', {},
      h('code', {}, label(x.nodeId, x.hint)), ` RSSI ${x.rssiDbm ?? '?'} dBm · SNR ${x.snrDb ?? '?'} dB · ${x.frames} frames · ${tx.t('lastHeard')} ${tx.t('secondsAgo', { n: Math.round((now - x.lastHeardMs) / 1000) })}`))),
    h('h3', {}, tx.t('routes')),
    h('ul', {}, ...s.router.routes.map((r) => h('li', {}, h('code', {}, `#${r.destHint.toString(16)}`), ` ← ${Array.isArray(r.path) ? r.path.map((p) => p.toString(16)).join(' → ') : String(r.path)} (${r.source})`))),
    h('h3', {}, tx.t('links')),
    h('table', {}, h('tr', {}, h('th', {}, ''), h('th', {}, tx.t('airtime')), h('th', {}, tx.t('dutyCycle')), h('th', {}, tx.t('channelUse'))),
      ...s.links.map((l) => h('tr', {}, h('td', {}, `${l.id} (${l.kind})`), h('td', {}, `${(l.scheduler.airtimeMs / 1000).toFixed(1)} s`),
        h('td', {}, pct(l.scheduler.dutyCycleUse)), h('td', {}, pct(l.scheduler.channelUse))))),
    s.gateway ? h('h3', {}, tx.t('relays')) : '',
    s.gateway ? h('ul', {}, ...s.gateway.relays.map((r) => h('li', {}, `${r.url}: ${tx.t(r.online ? 'online' : 'offline')}`))) : '');
}
