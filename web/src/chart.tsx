// ECharts, tree-shaken to the bar chart the pages use.
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface Series {
  name: string;
  values: number[];
  color: string;
}

/** Horizontal bars, one row per category: readable with Chinese names on a phone too. */
export function Bars({ categories, series, testid }: { categories: string[]; series: Series[]; testid?: string }) {
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
    chart.current?.setOption(
      {
        animation: false,
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: categories, inverse: true, axisLabel: { width: 110, overflow: 'truncate' } },
        series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, itemStyle: { color: s.color }, barMaxWidth: 18 })),
      },
      true,
    );
  }, [categories.join('|'), JSON.stringify(series)]);
  return <div class="chart" ref={el} style={{ height: `${Math.max(140, 40 + categories.length * 30)}px` }} data-testid={testid} />;
}
