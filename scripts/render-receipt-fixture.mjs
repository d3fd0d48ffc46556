// Renders the receipt image the OCR tests read (packages/pipelines/fixtures/receipt.png).
// Run it again after changing the text: node scripts/render-receipt-fixture.mjs
import { writeFileSync } from 'node:fs';
import { createCanvas } from '@napi-rs/canvas';

const lines = [
  ['center', 'GREEN LEAF CAFE SDN BHD'],
  ['center', 'NO 8, JALAN BUNGA RAYA,'],
  ['center', '50250 KUALA LUMPUR'],
  ['center', 'TEL: 03-2142 8899'],
  ['left', ''],
  ['left', 'DATE: 14/08/2019   TIME: 12:31'],
  ['left', ''],
  ['split', 'LATTE', '9.50'],
  ['split', 'CHICKEN SANDWICH', '14.90'],
  ['split', 'MINERAL WATER', '2.00'],
  ['left', ''],
  ['split', 'SUBTOTAL', '26.40'],
  ['split', 'SST 6%', '1.58'],
  ['split', 'TOTAL', '27.98'],
  ['split', 'CASH', '30.00'],
  ['split', 'CHANGE', '2.02'],
  ['left', ''],
  ['center', 'THANK YOU'],
];
const width = 470;
const lineHeight = 38;
const canvas = createCanvas(width, lines.length * lineHeight + 60);
const context = canvas.getContext('2d');
context.fillStyle = '#fff';
context.fillRect(0, 0, canvas.width, canvas.height);
context.fillStyle = '#111';
context.font = '22px "DejaVu Sans Mono"';
lines.forEach(([align, left, right], index) => {
  const y = 50 + index * lineHeight;
  if (align === 'center') context.fillText(left, (width - context.measureText(left).width) / 2, y);
  else context.fillText(left, 30, y);
  if (right) context.fillText(right, width - 30 - context.measureText(right).width, y);
});
writeFileSync(new URL('../packages/pipelines/fixtures/receipt.png', import.meta.url), canvas.toBuffer('image/png'));
