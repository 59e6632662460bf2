/**
 * Renders a Vega-Lite spec to an SVG string in Node: vegaLite.compile → vega.parse → a View with
 * renderer 'none' → toSVG(). No browser, no canvas (text widths are estimated, which keeps the output
 * byte-identical across machines). Library warnings are silenced: the specs are built by code.
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { PlasticdError } from '../../util/errors.ts';

export type ChartSpec = TopLevelSpec;

export async function renderSvg(spec: ChartSpec): Promise<string> {
  let view: vega.View | null = null;
  try {
    const compiled = vegaLite.compile(spec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    const svg = await view.toSVG();
    return `${svg}\n`;
  } catch (error) {
    throw new PlasticdError('plot-render', `could not render the chart '${chartTitle(spec)}': ${(error as Error).message}`);
  } finally {
    view?.finalize();
  }
}

function chartTitle(spec: ChartSpec): string {
  const title = (spec as { title?: unknown }).title;
  if (typeof title === 'string') return title;
  if (title && typeof title === 'object' && 'text' in title) return String((title as { text: unknown }).text);
  return '(untitled)';
}
