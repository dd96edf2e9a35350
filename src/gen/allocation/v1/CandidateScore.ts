// Original file: proto/allocation/v1/allocation.proto


export interface CandidateScore {
  'warehouse'?: (string);
  'score'?: (number | string);
}

export interface CandidateScore__Output {
  'warehouse': (string);
  'score': (number);
}
