import type { enExport } from './en-export.js';

// 简体中文：账户页面的“导出我的数据”（zh-CN.ts 的一部分）。
export const zhCNExport: Record<keyof typeof enExport, string> = {
  'export.title': '导出我的数据',
  'export.intro': '下载为您保存的全部测量数据。文件即时生成，可能较大。',
  'export.csv': '测量数据（CSV 表格）',
  'export.ndjson': '测量数据（NDJSON，每行一个 JSON 对象）',
  'export.fhir.about':
    'FHIR 导出包含您的 Patient 记录，以及以 FHIR R4 Observation 表示的测量数据，供诊所和健康应用使用。',
  'export.fhir.start': '准备 FHIR 导出',
  'export.fhir.running': '正在准备 FHIR 导出…… {progress}',
  'export.fhir.failed': '无法准备 FHIR 导出，请稍后再试。',
  'export.fhir.failedCode': '无法准备 FHIR 导出（错误代码：{code}）。',
  'export.fhir.empty': 'FHIR 导出已就绪，但其中暂无内容。',
  'export.fhir.files': 'FHIR 导出文件',
  'export.fhir.file': '{type}（{count} 条）— NDJSON',
};
