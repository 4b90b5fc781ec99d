// A line chart as hand-written SVG (no dependencies), log or linear axes. Bench-only.

/** One line of a chart. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

/** Chart options. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  /** Labels of the x ticks (default: the x values, formatted). */
  xTickLabel?: (x: number) => string;
  series: readonly Series[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const W = 720;
const H = 420;
const M = { left: 80, right: 190, top: 40, bottom: 60 };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function niceNumber(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(0).replace("e+", "e");
  return Number(v.toPrecision(2)).toString();
}

function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    const decades = Math.log10(max / min);
    const steps = decades <= 2 ? [1, 2, 5] : [1];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const k of steps) {
        const v = k * 10 ** e;
        if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
      }
    }
    return out;
  }
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / 5));
  const unit = [1, 2, 5, 10].map((k) => k * step).find((s) => span / s <= 6) ?? 10 * step;
  const out: number[] = [];
  for (let v = Math.floor(min / unit) * unit; v <= max + unit / 2; v += unit) out.push(v);
  return out;
}

/** Renders the chart. */
export function lineChart(o: ChartOptions): string {
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => Number.isFinite(y));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (o.xLog) [x0, x1] = [10 ** Math.floor(Math.log10(x0)), 10 ** Math.ceil(Math.log10(x1))];
  if (o.yLog) [y0, y1] = [10 ** Math.floor(Math.log10(y0)), 10 ** Math.ceil(Math.log10(y1))];
  else [y0, y1] = [Math.min(0, y0), y1 * 1.1];
  const xt = ticks(x0, x1, !!o.xLog);
  const yt = ticks(y0, y1, !!o.yLog);
  if (!o.xLog) [x0, x1] = [Math.min(x0, xt[0]), Math.max(x1, xt[xt.length - 1])];
  if (!o.yLog) [y0, y1] = [Math.min(y0, yt[0]), Math.max(y1, yt[yt.length - 1])];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) =>
    M.left + pw * (o.xLog ? Math.log(x / x0) / Math.log(x1 / x0) : (x - x0) / (x1 - x0 || 1));
  const sy = (y: number) =>
    M.top + ph -
    ph * (o.yLog ? Math.log(y / y0) / Math.log(y1 / y0) : (y - y0) / (y1 - y0 || 1));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left + pw / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${
      escape(o.title)
    }</text>`,
  ];
  for (const y of yt) {
    const py = sy(y).toFixed(1);
    parts.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${py}" y2="${py}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${
        niceNumber(y)
      }</text>`,
    );
  }
  const xLabelOf = o.xTickLabel ?? niceNumber;
  for (const x of xt) {
    const px = sx(x).toFixed(1);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`,
      `<text x="${px}" y="${M.top + ph + 18}" text-anchor="middle">${escape(xLabelOf(x))}</text>`,
    );
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">${escape(o.xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${
      escape(o.yLabel)
    }</text>`,
  );
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${
        pts.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ")
      }"/>`,
      ...pts.map((p) =>
        `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3.5" fill="${color}"/>`
      ),
      `<line x1="${W - M.right + 14}" x2="${W - M.right + 38}" y1="${M.top + 14 + 20 * i}" y2="${
        M.top + 14 + 20 * i
      }" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - M.right + 44}" y="${M.top + 14 + 20 * i}" dominant-baseline="middle">${
        escape(s.name)
      }</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
