// Original file: proto/allocation/v1/allocation.proto


export interface SkuInfo {
  'id'?: (string);
  'unitCost'?: (number | string);
  'price'?: (number | string);
}

export interface SkuInfo__Output {
  'id': (string);
  'unitCost': (number);
  'price': (number);
}
