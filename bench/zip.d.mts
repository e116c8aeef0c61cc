export function zip(entries: { name: string; data: string | Buffer; declared?: number }[]): Buffer;
