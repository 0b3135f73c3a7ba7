import type { ReactNode } from 'react';

export type Series = Readonly<{ label: string; tone: 'primary' | 'accent' | 'warm' }>;
export type ChartRow = Readonly<{ label: ReactNode; values: readonly (number | null)[] }>;

/**
 * Horizontal bars drawn as inline SVG: each row names its item and prints every value as text, so
 * the figure reads the same to a screen reader (the bars themselves are decoration) and mirrors
 * with the page in Arabic. No chart library, nothing the CSP must allow.
 */
export function BarChart({ title, series, rows, format, empty }: Readonly<{
  title: string;
  series: readonly Series[];
  rows: readonly ChartRow[];
  format: (value: number | null) => string;
  empty: string;
}>) {
  const max = Math.max(0, ...rows.flatMap((r) => r.values.map((v) => v ?? 0)));
  return (
    <figure className="mg-chart">
      <figcaption>{title}</figcaption>
      {series.length > 1 && (
        <ul className="mg-chart__legend">
          {series.map((s) => <li key={s.label}><span className={`mg-swatch mg-swatch--${s.tone}`} aria-hidden="true" />{s.label}</li>)}
        </ul>
      )}
      {rows.length === 0 || max === 0 ? <p className="mg-empty">{empty}</p> : (
        <ul className="mg-chart__rows">
          {rows.map((row, i) => (
            <li key={i} className="mg-chart__row">
              <span className="mg-chart__label">{row.label}</span>
              <span className="mg-chart__bars">
                {series.map((s, j) => {
                  const value = row.values[j] ?? null;
                  const width = value === null ? 0 : (value / max) * 100;
                  return (
                    <span key={s.label} className="mg-chart__bar">
                      <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                        <rect className={`mg-fill--${s.tone}`} x="0" y="0" width={Math.max(width, value ? 0.8 : 0)} height="10" />
                      </svg>
                      <span className="mg-chart__value">
                        {series.length > 1 && <span className="sq-visually-hidden">{s.label} : </span>}
                        {format(value)}
                      </span>
                    </span>
                  );
                })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/**
 * Columns per hour of the day (SVG), with each hour's value in a visually hidden list for screen
 * readers. Hours without tickets are drawn empty so the shape of the day shows.
 */
export function HourChart({ title, hours, label, empty }: Readonly<{
  title: string;
  hours: readonly { hour: number; value: number }[];
  label: (hour: number, value: number) => string;
  empty: string;
}>) {
  const shown = hours.length === 0 ? [] : hours;
  const max = Math.max(0, ...shown.map((h) => h.value));
  const width = 24 * 20;
  const height = 120;
  return (
    <figure className="mg-chart">
      <figcaption>{title}</figcaption>
      {max === 0 ? <p className="mg-empty">{empty}</p> : (
        <>
          <svg className="mg-hours" viewBox={`0 0 ${width} ${height + 18}`} aria-hidden="true" focusable="false">
            <line x1="0" x2={width} y1={height} y2={height} className="mg-axis" />
            {Array.from({ length: 24 }, (_, hour) => {
              const value = shown.find((h) => h.hour === hour)?.value ?? 0;
              const h = (value / max) * (height - 14);
              return (
                <g key={hour}>
                  <rect className="mg-fill--primary" x={hour * 20 + 3} y={height - h} width="14" height={h} />
                  {value > 0 && <text x={hour * 20 + 10} y={height - h - 3} textAnchor="middle" className="mg-hours__value">{value}</text>}
                  {hour % 3 === 0 && <text x={hour * 20 + 10} y={height + 14} textAnchor="middle" className="mg-hours__tick">{`${hour}h`}</text>}
                </g>
              );
            })}
          </svg>
          <ul className="sq-visually-hidden">
            {shown.filter((h) => h.value > 0).map((h) => <li key={h.hour}>{label(h.hour, h.value)}</li>)}
          </ul>
        </>
      )}
    </figure>
  );
}
