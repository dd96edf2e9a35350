// Original file: proto/allocation/v1/allocation.proto


export interface GetNetworkRequest {
}

export interface GetNetworkRequest__Output {
}
