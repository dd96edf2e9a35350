export { Kernel } from './kernel.js';
export type { Handler, NextEvent } from './kernel.js';
export { Priority } from './priority.js';
export type { PriorityName, PriorityValue } from './priority.js';
export { RandomStreams, Stream } from './random.js';
export { SimError } from './errors.js';
