import { describe, expect, it } from 'vitest';
import { lineTensor } from './line-tensor.js';

describe('lineTensor', () => {
  it('scales a line to the height asked, keeping its aspect, as blue, green and red planes from 0 to 1', () => {
    // 4×2: left half pure red, right half pure blue.
    const data = new Uint8Array(4 * 2 * 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) data.set(x < 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], 4 * (y * 4 + x));
    const tensor = lineTensor({ data, width: 4, height: 2 }, 4);
    expect(tensor.dims).toEqual([1, 3, 4, 8]);
    const values = tensor.data as Float32Array;
    const at = (plane: number, x: number) => values[plane * 32 + x] as number;
    expect([at(0, 0), at(1, 0), at(2, 0)]).toEqual([0, 0, 1]);
    expect([at(0, 7), at(1, 7), at(2, 7)]).toEqual([1, 0, 0]);
    // Between the halves the colours blend.
    expect(at(2, 4)).toBeGreaterThan(0);
    expect(at(2, 4)).toBeLessThan(1);
  });
});
