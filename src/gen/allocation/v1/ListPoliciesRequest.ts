// Original file: proto/allocation/v1/allocation.proto


export interface ListPoliciesRequest {
}

export interface ListPoliciesRequest__Output {
}
