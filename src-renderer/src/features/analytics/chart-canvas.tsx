// A Chart.js chart on a <canvas>: only the controllers and scales used here are registered (tree-shaken), and the canvas
// is an image with a text alternative, the figures themselves being listed beside each chart.
import { useEffect, useRef } from 'react';
import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip, type ChartConfiguration, type ChartType } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Tooltip, Legend);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 11;

interface Props<T extends ChartType> {
  config: ChartConfiguration<T>;
  /** What the chart shows, for screen readers (the canvas is role="img"). */
  label: string;
  testId: string;
}

export function ChartCanvas<T extends ChartType>({ config, label, testId }: Props<T>) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);
  /** The configuration the chart shows now (so a fresh chart is not updated again with what it was created from). */
  const shown = useRef<ChartConfiguration<T> | null>(null);
  const latest = useRef(config);
  latest.current = config;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const c = new Chart<T>(el, latest.current);
    chart.current = c;
    shown.current = latest.current;
    return () => {
      c.destroy();
      chart.current = null;
      shown.current = null;
    };
  }, [config.type]);

  useEffect(() => {
    const c = chart.current;
    if (!c || shown.current === config) return;
    shown.current = config;
    c.data = config.data;
    if (config.options) c.options = config.options;
    c.update();
  }, [config]);

  return (
    <div className="an-chart">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId}>
        {label}
      </canvas>
    </div>
  );
}
