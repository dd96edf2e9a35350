// Original file: proto/allocation/v1/allocation.proto


export interface ActivatePolicyRequest {
  'name'?: (string);
  'version'?: (string);
}

export interface ActivatePolicyRequest__Output {
  'name': (string);
  'version': (string);
}
