// Original file: proto/allocation/v1/allocation.proto

export const ServingMode = {
  SERVING_MODE_UNSPECIFIED: 'SERVING_MODE_UNSPECIFIED',
  SERVING_MODE_NORMAL: 'SERVING_MODE_NORMAL',
  SERVING_MODE_SHADOW: 'SERVING_MODE_SHADOW',
  SERVING_MODE_EXPLORE: 'SERVING_MODE_EXPLORE',
} as const;

export type ServingMode =
  | 'SERVING_MODE_UNSPECIFIED'
  | 0
  | 'SERVING_MODE_NORMAL'
  | 1
  | 'SERVING_MODE_SHADOW'
  | 2
  | 'SERVING_MODE_EXPLORE'
  | 3

export type ServingMode__Output = typeof ServingMode[keyof typeof ServingMode]
