// Original file: proto/allocation/v1/allocation.proto

export const DecidedByKind = {
  DECIDED_BY_KIND_UNSPECIFIED: 'DECIDED_BY_KIND_UNSPECIFIED',
  DECIDED_BY_KIND_MODEL: 'DECIDED_BY_KIND_MODEL',
  DECIDED_BY_KIND_RULES: 'DECIDED_BY_KIND_RULES',
} as const;

export type DecidedByKind =
  | 'DECIDED_BY_KIND_UNSPECIFIED'
  | 0
  | 'DECIDED_BY_KIND_MODEL'
  | 1
  | 'DECIDED_BY_KIND_RULES'
  | 2

export type DecidedByKind__Output = typeof DecidedByKind[keyof typeof DecidedByKind]
