export type Interval = [number, number];
