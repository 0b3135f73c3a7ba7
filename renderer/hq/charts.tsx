import type { ReactNode } from 'react';
import { downloadText, toCsv, type Cell } from '../manager/csv.ts';
import { Button } from '../shared/ui.tsx';
import { useT } from './context.tsx';

/**
 * A chart with its CSV export: the CSV is made from the very rows the chart draws, so what is
 * downloaded is what is seen.
 */
export function ChartCard({ id, title, header, rows, children }: Readonly<{
  id: string; title: string; header: readonly string[]; rows: readonly (readonly Cell[])[]; children: ReactNode;
}>) {
  const { t } = useT();
  return (
    <section className="sq-card hq-chart" id={id} aria-labelledby={`${id}-title`}>
      <header className="sq-card__head">
        <h2 className="sq-card__title" id={`${id}-title`}>{title}</h2>
        <div className="sq-card__actions hq-noprint">
          <Button tone="secondary" aria-label={t('csvOf', { name: title })} onClick={() => downloadText(`${id}.csv`, toCsv([header, ...rows]))}>{t('csv')}</Button>
        </div>
      </header>
      {children}
    </section>
  );
}

const BW = 760;
const BH = 220;

/** Vertical bars, one per label; each bar carries its value (data-value) and a title for hover. */
export function BarChart({ labels, values, label, format = String }: Readonly<{
  labels: readonly string[]; values: readonly number[]; label: string; format?: (v: number) => string;
}>) {
  const max = Math.max(1, ...values);
  const slot = BW / Math.max(1, values.length);
  const bar = Math.max(2, slot * 0.7);
  const every = Math.ceil(values.length / 14);
  return (
    <svg className="hq-bars" viewBox={`0 0 ${BW} ${BH + 36}`} role="img" aria-label={label}>
      <line x1={0} x2={BW} y1={BH} y2={BH} className="hq-axis" />
      {values.map((v, i) => {
        const h = (v / max) * (BH - 20);
        return (
          <g key={labels[i]}>
            <rect x={i * slot + (slot - bar) / 2} y={BH - h} width={bar} height={h} className="hq-bar" data-label={labels[i]} data-value={v}>
              <title>{`${labels[i]}: ${format(v)}`}</title>
            </rect>
            {values.length <= 31 && <text x={i * slot + slot / 2} y={BH - h - 4} className="hq-bar__value" textAnchor="middle">{format(v)}</text>}
            {i % every === 0 && <text x={i * slot + slot / 2} y={BH + 16} className="hq-bar__label" textAnchor="middle">{labels[i]!.slice(5)}</text>}
          </g>
        );
      })}
    </svg>
  );
}

/** Horizontal bars for comparing a few named things (branches, services, channels). */
export function HBars({ items, label, format = String }: Readonly<{ items: readonly { key: string; name: string; value: number }[]; label: string; format?: (v: number) => string }>) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul className="hq-hbars" aria-label={label}>
      {items.map((i) => (
        <li key={i.key} data-label={i.name} data-value={i.value}>
          <span className="hq-hbars__name">{i.name}</span>
          <span className="hq-hbars__track"><span className="hq-hbars__bar" style={{ inlineSize: `${(i.value / max) * 100}%` }} /></span>
          <span className="hq-hbars__value">{format(i.value)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Hour × weekday grid; darker is busier; each cell names its count. */
export function Heatmap({ cells, weekdays, label }: Readonly<{ cells: readonly { weekday: number; hour: number; arrivals: number }[]; weekdays: readonly string[]; label: string }>) {
  const max = Math.max(1, ...cells.map((c) => c.arrivals));
  const at = new Map(cells.map((c) => [`${c.weekday}:${c.hour}`, c.arrivals]));
  const cw = 28;
  const ch = 24;
  const left = 90;
  return (
    <svg className="hq-heat" viewBox={`0 0 ${left + 24 * cw} ${7 * ch + 24}`} role="img" aria-label={label}>
      {Array.from({ length: 24 }, (_, h) => <text key={`h${h}`} x={left + h * cw + cw / 2} y={7 * ch + 16} textAnchor="middle" className="hq-bar__label">{h}</text>)}
      {weekdays.map((name, d) => (
        <g key={name}>
          <text x={left - 6} y={d * ch + ch / 2 + 4} textAnchor="end" className="hq-bar__label">{name}</text>
          {Array.from({ length: 24 }, (_, h) => {
            const v = at.get(`${d + 1}:${h}`) ?? 0;
            return (
              <rect key={h} x={left + h * cw} y={d * ch} width={cw - 2} height={ch - 2} rx={3} className="hq-heat__cell"
                style={{ fillOpacity: v === 0 ? 0.05 : 0.15 + (0.85 * v) / max }} data-weekday={d + 1} data-hour={h} data-value={v}>
                <title>{`${name} ${h}h: ${v}`}</title>
              </rect>
            );
          })}
        </g>
      ))}
    </svg>
  );
}

/** A line over days (CSAT, NPS…); gaps where a day has no value. */
export function LineChart({ labels, values, label, min, max }: Readonly<{ labels: readonly string[]; values: readonly (number | null)[]; label: string; min: number; max: number }>) {
  const step = BW / Math.max(1, values.length - 1);
  const y = (v: number) => BH - ((v - min) / (max - min || 1)) * (BH - 20);
  const points = values.map((v, i) => (v === null ? null : `${i * step},${y(v)}`));
  const segments: string[][] = [[]];
  for (const p of points) {
    if (p === null) segments.push([]);
    else segments[segments.length - 1]!.push(p);
  }
  return (
    <svg className="hq-bars" viewBox={`-30 0 ${BW + 50} ${BH + 24}`} role="img" aria-label={label}>
      <line x1={0} x2={BW} y1={BH} y2={BH} className="hq-axis" />
      {segments.filter((s) => s.length > 1).map((s) => <polyline key={s[0]} points={s.join(' ')} className="hq-line" />)}
      {[min, max].map((v) => <text key={`y${v}`} x={-6} y={y(v) + 4} textAnchor="end" className="hq-bar__label">{v}</text>)}
      {values.map((v, i) => v !== null && (
        <circle key={labels[i]} cx={i * step} cy={y(v)} r={4} className="hq-line__dot" data-label={labels[i]} data-value={v}><title>{`${labels[i]}: ${v}`}</title></circle>
      ))}
      {labels.map((l, i) => i % Math.ceil(labels.length / 14) === 0 && (
        <text key={`x${l}`} x={i * step} y={BH + 18} textAnchor="middle" className="hq-bar__label">{l.slice(5)}</text>
      ))}
    </svg>
  );
}
