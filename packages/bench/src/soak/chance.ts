/** A whole number in [min, max]. */
export const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

export const randomPick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
