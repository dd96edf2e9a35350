// Original file: proto/allocation/v1/allocation.proto


export interface ReloadRequest {
}

export interface ReloadRequest__Output {
}
