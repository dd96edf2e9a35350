// Original file: proto/allocation/v1/allocation.proto


export interface ModeOption {
  'mode'?: (string);
  'transitHours'?: (number | string);
  'costPerUnit'?: (number | string);
  'lateRisk'?: (number | string);
}

export interface ModeOption__Output {
  'mode': (string);
  'transitHours': (number);
  'costPerUnit': (number);
  'lateRisk': (number);
}
