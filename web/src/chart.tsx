// ECharts, tree-shaken to what the pages use: the bar chart and the risk map's scatter.
import { BarChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([BarChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface Series {
  name: string;
  values: number[];
  color: string;
}

/** A chart in the element the ref points at, resized with the window; `option` set again whenever `key` changes. */
function useChart(option: () => echarts.EChartsCoreOption, key: string) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: 'canvas' });
    chart.current = c;
    const onResize = () => c.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option(), true);
  }, [key]);
  return el;
}

/** Horizontal bars, one row per category: readable with Chinese names on a phone too. */
export function Bars({ categories, series, testid }: { categories: string[]; series: Series[]; testid?: string }) {
  const el = useChart(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: categories, inverse: true, axisLabel: { width: 110, overflow: 'truncate' } },
      series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, itemStyle: { color: s.color }, barMaxWidth: 18 })),
    }),
    `${categories.join('|')}${JSON.stringify(series)}`,
  );
  return <div class="chart" ref={el} style={{ height: `${Math.max(140, 40 + categories.length * 30)}px` }} data-testid={testid} />;
}

export interface PointSeries {
  name: string;
  color: string;
  /** [longitude, latitude, label] */
  points: [number, number, string][];
}

/** An axis a little wider than its points (at least 0.02°), so none sits on the edge. */
const padded = {
  min: (v: { min: number; max: number }) => Number((v.min - Math.max(0.02, (v.max - v.min) * 0.1)).toFixed(3)),
  max: (v: { min: number; max: number }) => Number((v.max + Math.max(0.02, (v.max - v.min) * 0.1)).toFixed(3)),
  // The padded ends are not round numbers: label only the ticks between them.
  axisLabel: { showMinLabel: false, showMaxLabel: false },
};

/** Points by longitude (x) and latitude (y), one colour per series: where the enterprises sit over the city. */
export function Scatter({ series, axes, testid }: { series: PointSeries[]; axes: [string, string]; testid?: string }) {
  const el = useChart(
    () => ({
      animation: false,
      tooltip: { trigger: 'item', formatter: (p: { seriesName: string; value: [number, number, string] }) => `${p.value[2]}<br/>${p.seriesName}<br/>${p.value[1].toFixed(4)}, ${p.value[0].toFixed(4)}` },
      // The levels' legend is the map's own, above it.
      grid: { left: 8, right: 24, top: 28, bottom: 28, containLabel: true },
      xAxis: { type: 'value', name: axes[0], nameLocation: 'center', nameGap: 24, splitNumber: 4, ...padded },
      yAxis: { type: 'value', name: axes[1], splitNumber: 4, ...padded },
      series: series.map((s) => ({ type: 'scatter', name: s.name, data: s.points, symbolSize: 9, itemStyle: { color: s.color, borderColor: '#fff', borderWidth: 1 } })),
    }),
    JSON.stringify([series, axes]),
  );
  return <div class="chart" ref={el} style={{ height: '320px' }} data-testid={testid} />;
}
