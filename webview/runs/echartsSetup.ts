/** ECharts with only what the Runs panel draws: tree-shaken from echarts/core (DESIGN §5). */
import { BoxplotChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, ParallelComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, ScatterChart, ParallelChart, BoxplotChart, GridComponent, TooltipComponent, DataZoomComponent, ParallelComponent, CanvasRenderer]);

export { echarts };
