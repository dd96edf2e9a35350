// Original file: proto/allocation/v1/allocation.proto


export interface SegmentInfo {
  'id'?: (string);
  'kind'?: (string);
  'serviceLevel'?: (string);
  'promiseHours'?: (number | string);
}

export interface SegmentInfo__Output {
  'id': (string);
  'kind': (string);
  'serviceLevel': (string);
  'promiseHours': (number);
}
